import { Pool } from 'undici';
import type { TokenSource } from '../../scenarios/scenario.js';
import { tokenSourceOver } from './token-pools.js';

export { LOGIN_TRIES } from './token-pools.js';

/**
 * Token pools for authbench's own generators, over undici's pool (an autocannon run costs up to a second of its own
 * ticking even for a few hundred requests): one pool of keep-alive connections per batch.
 */
export function httpTokenSource(url: string, users: number, connections: number): TokenSource {
  const concurrency = Math.max(1, Math.min(connections, 32));
  return tokenSourceOver(
    () => {
      const pool = new Pool(new URL(url).origin, { connections: concurrency, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
      return {
        send: async (request) => {
          const res = await pool.request(request);
          return { status: res.statusCode, text: await res.body.text() };
        },
        close: () => pool.destroy(),
      };
    },
    users,
    concurrency,
  );
}
