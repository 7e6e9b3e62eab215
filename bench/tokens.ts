import autocannon from 'autocannon';
import { JSON_HEADERS, loginBodies, rotating, type TokenSource } from '../scenarios/scenario.js';

/** Runs `amount` requests as fast as `connections` allow, with no measurement kept: pool preparation only. */
function drive(url: string, connections: number, amount: number, requests: autocannon.Request[]): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: Math.min(connections, amount), amount, timeout: 10, requests }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

/**
 * Issues and revokes tokens over the server's own HTTP contract (so every design prepares its pools the same
 * way), through autocannon, which is much faster than one fetch at a time.
 */
export function httpTokenSource(url: string, users: number, connections: number): TokenSource {
  return {
    async issue(n) {
      if (n <= 0) return [];
      const tokens: string[] = [];
      const failures: number[] = [];
      const next = rotating(loginBodies(users));
      await drive(url, connections, n, [
        {
          method: 'POST',
          path: '/login',
          headers: JSON_HEADERS,
          setupRequest: (req) => ({ ...req, body: next() }),
          onResponse: (status, body) => {
            if (status === 200) tokens.push((JSON.parse(body) as { token: string }).token);
            else failures.push(status);
          },
        },
      ]);
      if (tokens.length < n) {
        throw new Error(`token pool: asked for ${n} logins, got ${tokens.length} tokens (statuses ${[...new Set(failures)].join(', ') || 'none: connection errors'})`);
      }
      return tokens;
    },
    async revoke(tokens) {
      if (tokens.length === 0) return;
      const next = rotating(tokens.map((t) => `Bearer ${t}`));
      const failures: number[] = [];
      let ok = 0;
      await drive(url, connections, tokens.length, [
        {
          method: 'POST',
          path: '/logout',
          setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: next() } }),
          onResponse: (status) => {
            if (status === 204) ok++;
            else failures.push(status);
          },
        },
      ]);
      if (ok < tokens.length) {
        throw new Error(`revocation pool: ${tokens.length} logouts, ${ok} acknowledged (statuses ${[...new Set(failures)].join(', ') || 'none: connection errors'})`);
      }
    },
  };
}
