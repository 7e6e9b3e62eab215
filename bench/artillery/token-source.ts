import type { TokenSource } from '../../scenarios/scenario.js';
import { tokenSourceOver } from '../load/token-pools.js';

/**
 * The token pools of an Artillery worker, prepared as authbench's own generators prepare theirs (bench/load/
 * token-pools.ts), over Node's fetch rather than undici's Pool so that the processor's modules import nothing outside
 * authbench: the export copies them next to the scripts, and Artillery ships that folder to its remote workers as it is.
 */
export function fetchTokenSource(url: string, users: number, concurrency: number): TokenSource {
  return tokenSourceOver(
    () => ({
      send: async ({ method, path, headers, body }) => {
        const res = await fetch(new URL(path, url), { method, headers, ...(body === undefined ? {} : { body }) });
        return { status: res.status, text: await res.text() };
      },
      close: async () => {},
    }),
    users,
    concurrency,
  );
}
