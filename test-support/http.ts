/** Small fetch helpers for tests against a real server URL. Every request is bounded by a timeout. */

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly text: string;
}

export async function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
    signal: AbortSignal.timeout(init.timeoutMs ?? 5000),
  });
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body, text };
}

export async function login(base: string, n = 42): Promise<string> {
  const r = await request(`${base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: `user${n}`, password: `pass${n}` }),
  });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
  return (r.body as { token: string }).token;
}

export const me = (base: string, token: string): Promise<Reply> =>
  request(`${base}/me`, { headers: { authorization: `Bearer ${token}` } });

export const logout = (base: string, token: string): Promise<Reply> =>
  request(`${base}/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });

/** The one body every token refusal must have. */
export const UNAUTHORIZED_BODY = { error: 'unauthorized', code: 'ERR_UNAUTHORIZED' };
