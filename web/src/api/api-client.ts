/** An RFC 9457 problem details body, as every ClaimGuard API error is sent. */
export type ProblemDetails = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
};

/** Thrown for every non-2xx API response, carrying the server's problem details. */
export class ApiProblem extends Error implements ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string | undefined;
  readonly instance: string | undefined;

  constructor(problem: ProblemDetails) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiProblem';
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.detail = problem.detail;
    this.instance = problem.instance;
  }
}

export function isProblemDetails(value: unknown): value is ProblemDetails {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.type === 'string' &&
    typeof candidate.title === 'string' &&
    typeof candidate.status === 'number' &&
    (candidate.detail === undefined || typeof candidate.detail === 'string') &&
    (candidate.instance === undefined || typeof candidate.instance === 'string')
  );
}

type ApiGetOptions = { signal?: AbortSignal };

/**
 * GETs a JSON resource from the ClaimGuard API. The caller names the response type; the server validates
 * its responses against the same schema, so the body is trusted rather than re-validated here.
 */
export async function apiGet<T>(path: string, options: ApiGetOptions = {}): Promise<T> {
  const response = await fetch(path, {
    method: 'GET',
    headers: { accept: 'application/json, application/problem+json' },
    credentials: 'same-origin',
    signal: options.signal ?? null,
  });
  if (!response.ok) throw await problemFromResponse(response);
  return (await response.json()) as T;
}

async function problemFromResponse(response: Response): Promise<ApiProblem> {
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.includes('json')) {
    const body: unknown = await response.json().catch(() => undefined);
    if (isProblemDetails(body)) return new ApiProblem(body);
  }
  // A proxy or a crashed upstream can answer without a problem body; keep at least the HTTP status.
  return new ApiProblem({
    type: 'about:blank',
    title: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    status: response.status,
  });
}
