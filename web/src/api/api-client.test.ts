import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ApiProblem,
  apiDownload,
  apiGet,
  apiPost,
  apiUpload,
  CSRF_HEADER,
  currentCsrfToken,
  fileNameOf,
  problemCodeOf,
  setCsrfToken,
  setStepUpHandler,
} from './api-client';

function stubFetch(response: Response): void {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => response),
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(undefined);
  setStepUpHandler(undefined);
});

function problem(code: string, status: number, extra: Record<string, unknown> = {}): Response {
  return new Response(JSON.stringify({ type: `/problems/${code}`, title: code, status, ...extra }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}

/** A fetch stub answering from a queue, recording each request's method, URL and CSRF header. */
function queueFetch(...responses: Response[]) {
  const calls: { method: string; url: string; csrf: string | undefined; body: unknown }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      calls.push({
        method: init.method ?? 'GET',
        url,
        csrf: headers[CSRF_HEADER],
        body: init.body === undefined ? undefined : JSON.parse(String(init.body)),
      });
      const next = responses.shift();
      if (!next) throw new Error(`unexpected request ${init.method} ${url}`);
      return next;
    }),
  );
  return calls;
}

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

describe('problem codes', () => {
  it('reads the code from the problem type', () => {
    expect(problemCodeOf('/problems/step-up-required')).toBe('step-up-required');
    expect(problemCodeOf('https://claimguard.example/problems/not-ready')).toBe('not-ready');
    expect(problemCodeOf('about:blank')).toBeUndefined();
  });

  it('keeps extension members and takes Retry-After when the body lacks it', async () => {
    queueFetch(problem('too-many-attempts', 429, { retryAfterSeconds: 42 }));
    const first = (await apiPost('/api/v1/auth/login', {}).catch((caught: unknown) => caught)) as ApiProblem;
    expect(first.code).toBe('too-many-attempts');
    expect(first.retryAfterSeconds).toBe(42);

    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(JSON.stringify({ type: '/problems/rate-limited', title: 'x', status: 429 }), {
            status: 429,
            headers: { 'content-type': 'application/problem+json', 'retry-after': '7' },
          }),
      ),
    );
    const second = (await apiPost('/api/v1/x').catch((caught: unknown) => caught)) as ApiProblem;
    expect(second.retryAfterSeconds).toBe(7);
  });
});

describe('CSRF token', () => {
  it('sends the token on writes only', async () => {
    setCsrfToken('token-1');
    const calls = queueFetch(Response.json({ ok: true }), Response.json({ ok: true }));
    await apiGet('/api/v1/auth/sessions');
    await apiPost('/api/v1/auth/logout');
    expect(calls.map((call) => [call.method, call.csrf])).toEqual([
      ['GET', undefined],
      ['POST', 'token-1'],
    ]);
  });

  it('refetches the token from /auth/me after csrf-failed and retries once', async () => {
    setCsrfToken('stale');
    const calls = queueFetch(
      problem('csrf-failed', 403),
      Response.json({ csrfToken: 'fresh' }),
      Response.json({ ok: true }),
    );
    await expect(apiPost('/api/v1/auth/logout')).resolves.toEqual({ ok: true });
    expect(calls.map((call) => [call.method, call.url, call.csrf])).toEqual([
      ['POST', '/api/v1/auth/logout', 'stale'],
      ['GET', '/api/v1/auth/me', undefined],
      ['POST', '/api/v1/auth/logout', 'fresh'],
    ]);
    expect(currentCsrfToken()).toBe('fresh');
  });

  it('gives up after one retry', async () => {
    setCsrfToken('stale');
    queueFetch(
      problem('csrf-failed', 403),
      Response.json({ csrfToken: 'fresh' }),
      problem('csrf-failed', 403),
    );
    const error = await apiPost('/api/v1/auth/logout').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'csrf-failed' });
  });
});

describe('step-up', () => {
  it('asks for a second factor and retries the original request with its body', async () => {
    const handler = vi.fn(async () => true);
    setStepUpHandler(handler);
    const calls = queueFetch(problem('step-up-required', 403), Response.json({ id: 'u1' }));
    await expect(apiPost('/api/v1/users', { username: 'li.na' })).resolves.toEqual({ id: 'u1' });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(calls.map((call) => call.body)).toEqual([{ username: 'li.na' }, { username: 'li.na' }]);
  });

  it('throws the refusal when the person cancels', async () => {
    setStepUpHandler(async () => false);
    const calls = queueFetch(problem('step-up-required', 403));
    const error = await apiPost('/api/v1/users', {}).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'step-up-required', status: 403 });
    expect(calls).toHaveLength(1);
  });

  it('shares one prompt among requests refused together', async () => {
    let release: (value: boolean) => void = () => {};
    const handler = vi.fn(() => new Promise<boolean>((resolve) => (release = resolve)));
    setStepUpHandler(handler);
    queueFetch(
      problem('step-up-required', 403),
      problem('step-up-required', 403),
      Response.json({ n: 1 }),
      Response.json({ n: 2 }),
    );
    const both = Promise.all([apiPost('/a'), apiPost('/b')]);
    await vi.waitFor(() => expect(handler).toHaveBeenCalledTimes(1));
    release(true);
    await expect(both).resolves.toHaveLength(2);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('does not prompt for requests that opt out', async () => {
    const handler = vi.fn(async () => true);
    setStepUpHandler(handler);
    queueFetch(problem('step-up-required', 403));
    await expect(apiPost('/x', {}, { stepUp: false })).rejects.toMatchObject({ code: 'step-up-required' });
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('uploads', () => {
  it('sends the raw bytes with the CSRF header and its own headers, and retries after a step-up', async () => {
    setCsrfToken('token-9');
    setStepUpHandler(async () => true);
    const seen: { headers: Record<string, string>; body: unknown }[] = [];
    const answers = [problem('step-up-required', 403), Response.json({ id: 'd1' })];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        seen.push({ headers: init.headers as Record<string, string>, body: init.body });
        return answers.shift() as Response;
      }),
    );
    const file = new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' });
    await expect(
      apiUpload('/api/v1/claims/c1/documents?category=photo', file, { 'x-document-name': 'a.jpg' }),
    ).resolves.toEqual({ id: 'd1' });
    expect(seen).toHaveLength(2);
    for (const request of seen) {
      expect(request.body).toBe(file);
      expect(request.headers).toMatchObject({
        'content-type': 'application/octet-stream',
        'x-document-name': 'a.jpg',
        [CSRF_HEADER]: 'token-9',
      });
    }
  });
});

describe('downloads', () => {
  it('asks for a second factor, retries, and returns the bytes with the suggested file name', async () => {
    const handler = vi.fn(async () => true);
    setStepUpHandler(handler);
    const calls = queueFetch(
      problem('step-up-required', 403),
      new Response('{"seq":0}\n', {
        headers: {
          'content-type': 'application/x-ndjson',
          'content-disposition': 'attachment; filename="claimguard-audit-2026-11-24T10-00-00-000Z.jsonl"',
        },
      }),
    );
    const { blob, fileName } = await apiDownload('/api/v1/audit/export?action=auth.login');
    expect(await blob.text()).toBe('{"seq":0}\n');
    expect(fileName).toBe('claimguard-audit-2026-11-24T10-00-00-000Z.jsonl');
    expect(handler).toHaveBeenCalledTimes(1);
    expect(calls.map((call) => [call.method, call.url])).toEqual([
      ['GET', '/api/v1/audit/export?action=auth.login'],
      ['GET', '/api/v1/audit/export?action=auth.login'],
    ]);
  });

  it('throws the refusal as a problem', async () => {
    queueFetch(problem('forbidden', 403));
    await expect(apiDownload('/api/v1/audit/export')).rejects.toBeInstanceOf(ApiProblem);
  });

  it('takes only a plain file name from Content-Disposition', () => {
    expect(fileNameOf('attachment; filename="a.jsonl"')).toBe('a.jsonl');
    expect(fileNameOf('attachment; filename=b.jsonl')).toBe('b.jsonl');
    expect(fileNameOf('attachment; filename="../../etc/passwd"')).toBeUndefined();
    expect(fileNameOf(null)).toBeUndefined();
  });
});
