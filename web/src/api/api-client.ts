/** An RFC 9457 problem details body, as every ClaimGuard API error is sent. */
export type ProblemDetails = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Extension members, e.g. `retryAfterSeconds` or `reason`. */
  [extension: string]: unknown;
};

const PROBLEM_TYPE_PREFIX = '/problems/';

/** Thrown for every non-2xx API response, carrying the server's problem details. */
export class ApiProblem extends Error {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string | undefined;
  readonly instance: string | undefined;
  /** The server's error code (`/problems/<code>` → `<code>`), or undefined for a problem of another kind. */
  readonly code: string | undefined;
  /** The members beyond the standard five (e.g. `retryAfterSeconds`, `reason`, `errors`). */
  readonly extensions: Record<string, unknown>;

  constructor(problem: ProblemDetails) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    const { type, title, status, detail, instance, ...extensions } = problem;
    this.name = 'ApiProblem';
    this.type = type;
    this.title = title;
    this.status = status;
    this.detail = detail;
    this.instance = instance;
    this.code = problemCodeOf(type);
    this.extensions = extensions;
  }

  /** Seconds until a locked sign-in may be tried again (`too-many-attempts`), when the server said so. */
  get retryAfterSeconds(): number | undefined {
    const value = this.extensions.retryAfterSeconds;
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  }
}

/** `/problems/step-up-required` (or an absolute URL ending so) → `step-up-required`. */
export function problemCodeOf(type: string): string | undefined {
  const index = type.lastIndexOf(PROBLEM_TYPE_PREFIX);
  if (index < 0) return undefined;
  const code = type.slice(index + PROBLEM_TYPE_PREFIX.length);
  return /^[a-z0-9-]+$/.test(code) ? code : undefined;
}

export function isApiProblem(error: unknown, code?: string): error is ApiProblem {
  return error instanceof ApiProblem && (code === undefined || error.code === code);
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

// ---- CSRF token and step-up --------------------------------------------------------------------------

export const CSRF_HEADER = 'x-csrf-token';
const ME_PATH = '/api/v1/auth/me';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The session's CSRF token, kept in memory only (never in storage, where other scripts could read it
 * after the session ends). It comes from the login answer or from `GET /auth/me`.
 */
let csrfToken: string | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token || undefined;
}

export function currentCsrfToken(): string | undefined {
  return csrfToken;
}

/**
 * Asks the person for a second factor when the server answers `step-up-required`; resolves true once the
 * session is stepped up, false when they cancel. The console's step-up modal registers itself here.
 */
export type StepUpHandler = () => Promise<boolean>;

let stepUpHandler: StepUpHandler | undefined;
let pendingStepUp: Promise<boolean> | undefined;

/** Registers the step-up prompt; returns a function that unregisters it. */
export function setStepUpHandler(handler: StepUpHandler | undefined): () => void {
  stepUpHandler = handler;
  return () => {
    if (stepUpHandler === handler) stepUpHandler = undefined;
  };
}

/** Several requests refused at once share one prompt. */
function stepUp(): Promise<boolean> {
  if (!stepUpHandler) return Promise.resolve(false);
  pendingStepUp ??= stepUpHandler().finally(() => {
    pendingStepUp = undefined;
  });
  return pendingStepUp;
}

// ---- requests ----------------------------------------------------------------------------------------

type RequestOptions = {
  signal?: AbortSignal;
  /** Set false for the requests that perform the step-up itself, so a refusal is not answered by another prompt. */
  stepUp?: boolean;
  /**
   * Extra request headers (e.g. `Idempotency-Key`), sent unchanged with every retry of this request.
   * They never override the client's own `accept`, `content-type` or CSRF headers.
   */
  headers?: Record<string, string>;
};

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** A request body: JSON (the default), or raw bytes with their own headers (document uploads). */
type Payload = { json: unknown } | { raw: Blob; headers: Record<string, string> } | undefined;

function payloadOf(body: unknown): Payload {
  return body === undefined ? undefined : { json: body };
}

async function send(
  method: Method,
  path: string,
  payload: Payload,
  signal?: AbortSignal,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    ...extraHeaders,
    accept: 'application/json, application/problem+json',
  };
  if (payload && 'json' in payload) headers['content-type'] = 'application/json';
  if (payload && 'raw' in payload) Object.assign(headers, payload.headers);
  if (!SAFE_METHODS.has(method) && csrfToken) headers[CSRF_HEADER] = csrfToken;
  return fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(payload === undefined
      ? {}
      : { body: 'json' in payload ? JSON.stringify(payload.json) : payload.raw }),
    signal: signal ?? null,
  });
}

/** Fetches the session's CSRF token again, e.g. after it was lost with a reload or renewed by the server. */
async function refreshCsrfToken(signal?: AbortSignal): Promise<boolean> {
  const response = await send('GET', ME_PATH, undefined, signal);
  if (!response.ok) return false;
  const me = (await response.json()) as { csrfToken?: unknown };
  if (typeof me.csrfToken !== 'string' || !me.csrfToken) return false;
  setCsrfToken(me.csrfToken);
  return true;
}

/**
 * Sends a request to the ClaimGuard API and returns its JSON body. A write carries the CSRF token; a
 * `csrf-failed` refusal refetches the token and retries once; a `step-up-required` refusal asks for a
 * second factor (see {@link setStepUpHandler}) and retries once it is given. Every other non-2xx answer
 * throws an {@link ApiProblem}. The caller names the response type; the server validates its responses
 * against the same schema, so the body is trusted rather than re-validated here.
 */
export async function apiRequest<T>(
  method: Method,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const response = await sendWithRetries(method, path, payloadOf(body), options);
  return (await response.json()) as T;
}

/**
 * Sends a file as the raw request body (`application/octet-stream` unless `headers` say otherwise), with
 * the CSRF header and the same retries as {@link apiRequest}; returns the JSON answer.
 */
export async function apiUpload<T>(
  path: string,
  file: Blob,
  headers: Record<string, string> = {},
  options: RequestOptions = {},
): Promise<T> {
  const response = await sendWithRetries(
    'POST',
    path,
    { raw: file, headers: { 'content-type': 'application/octet-stream', ...headers } },
    options,
  );
  return (await response.json()) as T;
}

/** The CSRF and step-up retries of {@link apiRequest}; resolves with a 2xx response, else throws. */
async function sendWithRetries(
  method: Method,
  path: string,
  body: Payload,
  options: RequestOptions,
): Promise<Response> {
  let response = await send(method, path, body, options.signal, options.headers);
  let problem = response.ok ? undefined : await problemFromResponse(response);

  if (problem?.code === 'csrf-failed' && (await refreshCsrfToken(options.signal))) {
    response = await send(method, path, body, options.signal, options.headers);
    problem = response.ok ? undefined : await problemFromResponse(response);
  }
  if (problem?.code === 'step-up-required' && options.stepUp !== false && (await stepUp())) {
    response = await send(method, path, body, options.signal, options.headers);
    problem = response.ok ? undefined : await problemFromResponse(response);
  }
  if (problem) throw problem;
  return response;
}

/**
 * Downloads a file (e.g. an export) with the same CSRF and step-up handling as {@link apiRequest};
 * resolves with its bytes and the file name the server suggested, if any.
 */
export async function apiDownload(
  path: string,
  options: RequestOptions & { method?: 'GET' | 'POST'; body?: Payload } = {},
): Promise<{ blob: Blob; fileName: string | undefined }> {
  const { method = 'GET', body, ...rest } = options;
  const response = await sendWithRetries(method, path, body, rest);
  return {
    blob: await response.blob(),
    fileName: fileNameOf(response.headers.get('content-disposition')),
  };
}

/** `attachment; filename="a.jsonl"` → `a.jsonl`; only plain names, never a path. */
export function fileNameOf(contentDisposition: string | null): string | undefined {
  const match = /filename="?([^";]+)"?/i.exec(contentDisposition ?? '');
  const name = match?.[1]?.trim();
  return name && /^[\w.-]+$/.test(name) ? name : undefined;
}

export function apiGet<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return apiRequest<T>('GET', path, undefined, options);
}

export function apiPost<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  return apiRequest<T>('POST', path, body, options);
}

export function apiPatch<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
  return apiRequest<T>('PATCH', path, body, options);
}

export function apiPut<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
  return apiRequest<T>('PUT', path, body, options);
}

export function apiDelete<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return apiRequest<T>('DELETE', path, undefined, options);
}

async function problemFromResponse(response: Response): Promise<ApiProblem> {
  const contentType = response.headers.get('content-type') ?? '';
  if (contentType.includes('json')) {
    const body: unknown = await response.json().catch(() => undefined);
    if (isProblemDetails(body)) {
      // A Retry-After header is as good as the body member, for answers (e.g. a proxy's) that lack it.
      const retryAfter = Number(response.headers.get('retry-after'));
      if (body.retryAfterSeconds === undefined && Number.isFinite(retryAfter) && retryAfter > 0) {
        return new ApiProblem({ ...body, retryAfterSeconds: retryAfter });
      }
      return new ApiProblem(body);
    }
  }
  // A proxy or a crashed upstream can answer without a problem body; keep at least the HTTP status.
  return new ApiProblem({
    type: 'about:blank',
    title: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    status: response.status,
  });
}
