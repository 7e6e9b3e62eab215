import { loginBodies, type IssuedToken, type TokenSource } from '../../scenarios/scenario.js';

/** Tries of a login answered 503 (the store did not answer in time, a busy machine's hiccup) before it counts as failed. */
export const LOGIN_TRIES = 3;

/** One request of pool preparation, and its answer. */
export interface PoolRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** An HTTP client for one batch of pool requests (opened per batch, closed after it). */
export interface PoolTransport {
  send(request: PoolRequest): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

/**
 * Issues and revokes tokens over the server's own HTTP contract, so every design prepares its pools the same way,
 * whatever client sends the requests: undici for authbench's generators (tokens.ts), Node's fetch in an Artillery
 * worker (bench/artillery/token-source.ts, which may import no package). Nothing here is measured. This module
 * imports no package, so the Artillery export can copy it.
 */
export function tokenSourceOver(open: () => PoolTransport, users: number, concurrency: number): TokenSource {
  /**
   * Runs `n` requests, `concurrency` at a time, and collects what `handle` makes of each answer. With `tries` above 1,
   * a request answered 503 (Retry-After: the contract's "try again") is sent again after a short pause.
   */
  const drive = async (n: number, request: (i: number) => PoolRequest, handle: (status: number, text: string, i: number) => void, tries = 1): Promise<void> => {
    const transport = open();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < n) {
        const i = next++;
        for (let attempt = 1; ; attempt++) {
          const { status, text } = await transport.send(request(i));
          if (status === 503 && attempt < tries) {
            await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
            continue;
          }
          handle(status, text, i);
          break;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
    } finally {
      await transport.close();
    }
  };
  const issueNamed = async (n: number): Promise<IssuedToken[]> => {
    if (n <= 0) return [];
    const tokens: IssuedToken[] = [];
    const failures = new Set<number>();
    // Login i is user (i mod bodies): the user each token belongs to is known from the request that got it.
    const bodies = loginBodies(users);
    const userOf = (i: number): number => i % bodies.length;
    await drive(
      n,
      (i) => ({ method: 'POST', path: '/login', headers: { 'content-type': 'application/json' }, body: bodies[userOf(i)] ?? '' }),
      (status, text, i) => {
        if (status === 200) tokens.push({ token: (JSON.parse(text) as { token: string }).token, username: `user${userOf(i)}` });
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
