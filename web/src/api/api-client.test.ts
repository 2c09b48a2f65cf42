import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiProblem, apiGet } from './api-client';

function stubFetch(response: Response): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => response),
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('apiGet', () => {
  it('returns the parsed JSON body of a successful response', async () => {
    stubFetch(Response.json({ version: '0.1.0' }));
    await expect(apiGet<{ version: string }>('/api/v1/system/status')).resolves.toEqual({ version: '0.1.0' });
  });

  it('throws an ApiProblem carrying the fields of a problem+json body', async () => {
    const problem = {
      type: 'https://claimguard.example/problems/not-ready',
      title: 'Not ready',
      status: 503,
      detail: 'Migrations are pending.',
      instance: '/api/v1/system/status',
    };
    stubFetch(
      new Response(JSON.stringify(problem), {
        status: 503,
        headers: { 'content-type': 'application/problem+json' },
      }),
    );
    const error = await apiGet('/api/v1/system/status').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiProblem);
    expect(error).toMatchObject(problem);
  });

  it('throws an ApiProblem with the HTTP status when the body is not a problem', async () => {
    stubFetch(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const error = await apiGet('/api/v1/system/status').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiProblem);
    expect(error).toMatchObject({ type: 'about:blank', title: 'HTTP 502 Bad Gateway', status: 502 });
  });
});
