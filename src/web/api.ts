import { signal } from '@preact/signals';

const TOKEN_KEY = 'pm.token';

/** The bearer token: kept for the tab (sessionStorage), or on this device when the user asked. */
export const token = signal<string | null>(sessionStorage.getItem(TOKEN_KEY) ?? localStorage.getItem(TOKEN_KEY));
/** The server refused a request for want of a (valid) token: the page shows the login form. */
export const needsLogin = signal(false);

export function logIn(secret: string, remember: boolean): void {
  (remember ? localStorage : sessionStorage).setItem(TOKEN_KEY, secret);
  token.value = secret;
}

export function logOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(TOKEN_KEY);
  token.value = null;
  needsLogin.value = true;
}

/** An error answer of the API: `{ error: { code, message, field?, details? } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  return { accept: 'application/json', ...(token.value ? { authorization: `Bearer ${token.value}` } : {}), ...extra };
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: unknown; field?: string };
}

/** One request to /api/v1; errors become `ApiError`s, and a 401 asks for a token. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'offline', 'the server cannot be reached');
  }
  const text = await response.text();
  const data = (text ? JSON.parse(text) : undefined) as unknown;
  if (!response.ok) {
    const error = (data as ErrorBody | undefined)?.error;
    if (response.status === 401) needsLogin.value = true;
    throw new ApiError(
      response.status,
      error?.code ?? 'internal',
      error?.message ?? `${response.status} ${response.statusText}`,
      error?.details,
      error?.field,
    );
  }
  return data as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

/** `?a=1&b=x` from the values that are set. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const enc = encodeURIComponent;
