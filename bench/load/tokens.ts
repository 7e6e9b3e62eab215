import { Pool } from 'undici';
import { loginBodies, type IssuedToken, type TokenSource } from '../../scenarios/scenario.js';

/** Tries of a login answered 503 (the store did not answer in time, a busy machine's hiccup) before it counts as failed. */
export const LOGIN_TRIES = 3;

/**
 * Runs `n` requests over `concurrency` keep-alive connections and collects what `handle` makes of each answer.
 * Pool preparation only, nothing here is measured: undici's pool, since an autocannon run costs up to a second
 * of its own ticking even for a few hundred requests. With `tries` above 1, a request answered 503 (Retry-After:
 * the contract's "try again") is sent again after a short pause, up to `tries` times in all.
 */
async function drive(url: string, concurrency: number, n: number, request: (i: number) => { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string }, handle: (status: number, body: string, i: number) => void, tries = 1): Promise<void> {
  const pool = new Pool(new URL(url).origin, { connections: concurrency, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      for (let attempt = 1; ; attempt++) {
        const res = await pool.request(request(i));
        const body = await res.body.text();
        if (res.statusCode === 503 && attempt < tries) {
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
          continue;
        }
        handle(res.statusCode, body, i);
        break;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  } finally {
    await pool.destroy();
  }
}

/** Issues and revokes tokens over the server's own HTTP contract, so every design prepares its pools the same way. */
export function httpTokenSource(url: string, users: number, connections: number): TokenSource {
  const concurrency = Math.max(1, Math.min(connections, 32));
  const issueNamed = async (n: number): Promise<IssuedToken[]> => {
    if (n <= 0) return [];
    const tokens: IssuedToken[] = [];
    const failures = new Set<number>();
    // Login i is user (i mod bodies): the user each token belongs to is known from the request that got it.
    const bodies = loginBodies(users);
    const userOf = (i: number): number => i % bodies.length;
    await drive(
      url,
      concurrency,
      n,
      (i) => ({ method: 'POST', path: '/login', headers: { 'content-type': 'application/json' }, body: bodies[userOf(i)] ?? '' }),
      (status, body, i) => {
        if (status === 200) tokens.push({ token: (JSON.parse(body) as { token: string }).token, username: `user${userOf(i)}` });
        else failures.add(status);
      },
      // A login is safe to send again: at worst the first one stored a session no one uses. (A logout is not: a
      // redis-token logout whose DEL went through before its 503 would answer 401 the second time.)
      LOGIN_TRIES,
    );
    if (tokens.length < n) throw new Error(`token pool: asked for ${n} logins, got ${tokens.length} tokens (statuses ${[...failures].join(', ')})`);
    return tokens;
  };
  return {
    issueNamed,
    async issue(n) {
      return (await issueNamed(n)).map((t) => t.token);
    },
    async revoke(tokens) {
      if (tokens.length === 0) return;
      const failures = new Set<number>();
      let ok = 0;
      await drive(
        url,
        concurrency,
        tokens.length,
        (i) => ({ method: 'POST', path: '/logout', headers: { authorization: `Bearer ${tokens[i] ?? ''}` } }),
        (status) => {
          if (status === 204) ok++;
          else failures.add(status);
        },
      );
      if (ok < tokens.length) throw new Error(`revocation pool: ${tokens.length} logouts, ${ok} acknowledged (statuses ${[...failures].join(', ')})`);
    },
  };
}
