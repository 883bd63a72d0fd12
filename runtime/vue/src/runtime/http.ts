// The one HTTP client of the app: JSON in and out under the api prefix, the
// bearer token on every call, and a 401 that signs the user out.

/** A field error from a 422 answer: `loc` is FastAPI's path, e.g. ['body', 'price']. */
export interface FieldIssue {
  loc: (string | number)[];
  msg: string;
}

/** An answer that was not 2xx, with FastAPI's `detail` kept and field errors by field name. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: unknown;
  /** field name -> first message, from a 422 `detail` list */
  readonly fieldErrors: Record<string, string>;

  constructor(status: number, detail: unknown) {
    super(describeDetail(status, detail));
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
    this.fieldErrors = fieldErrorsOf(detail);
  }
}

function isFieldIssue(value: unknown): value is FieldIssue {
  if (typeof value !== 'object' || value === null) return false;
  const issue = value as Record<string, unknown>;
  return Array.isArray(issue['loc']) && typeof issue['msg'] === 'string';
}

/** The field an issue is about: the last string in `loc` that is not a container name. */
function fieldOf(issue: FieldIssue): string | undefined {
  const names = issue.loc.filter(
    (part): part is string => typeof part === 'string' && !['body', 'query', 'path'].includes(part),
  );
  return names[names.length - 1];
}

function fieldErrorsOf(detail: unknown): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!Array.isArray(detail)) return errors;
  for (const issue of detail) {
    if (!isFieldIssue(issue)) continue;
    const field = fieldOf(issue);
    if (field !== undefined && errors[field] === undefined) errors[field] = issue.msg;
  }
  return errors;
}

function describeDetail(status: number, detail: unknown): string {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    const messages = detail.filter(isFieldIssue).map((issue) => issue.msg);
    if (messages.length > 0) return messages.join('; ');
  }
  if (typeof detail === 'object' && detail !== null) {
    const message = (detail as Record<string, unknown>)['message'];
    if (typeof message === 'string') return message;
  }
  return `Request failed (${status})`;
}

export interface HttpConfig {
  /** api prefix, e.g. '/api/v1' */
  prefix: string;
  /** the current bearer token, if signed in */
  token: () => string | null;
  /** called when the server answers 401 to a call that carried a token */
  onUnauthorized: () => void;
}

const config: HttpConfig = {
  prefix: '/api',
  token: () => null,
  onUnauthorized: () => undefined,
};

export function configureHttp(options: Partial<HttpConfig>): void {
  Object.assign(config, options);
}

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** sent as JSON */
  json?: unknown;
  /** sent as application/x-www-form-urlencoded (OAuth2 password login) */
  form?: Record<string, string>;
}

/** Build `<prefix><path>?query`, leaving out empty query values. */
export function apiUrl(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.append(key, String(value));
  }
  const search = params.toString();
  return `${config.prefix}${path}${search === '' ? '' : `?${search}`}`;
}

export async function request<T>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const token = config.token();
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  let body: string | undefined;
  if (options.form !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(apiUrl(path, options.query), { method, headers, body });
  if (response.status === 401 && token !== null) config.onUnauthorized();
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown = null;
  if (text !== '') {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    const detail =
      typeof data === 'object' && data !== null && 'detail' in data
        ? (data as { detail: unknown }).detail
        : data;
    throw new ApiError(response.status, detail);
  }
  return data as T;
}

/** The list answer of every entity endpoint. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
