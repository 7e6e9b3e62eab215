import { InvalidOptionError } from '../../lib/errors.js';
import type { RedisStore, StoreClient } from './redis-store.js';

/**
 * A design that keeps revocations in Redis (blacklist entries, each with a TTL) is only as good as Redis's promise
 * to keep them: with any `volatile-*` or `allkeys-*` maxmemory-policy, Redis under memory pressure evicts keys, and an
 * evicted entry is a revoked token accepted again. So such a design refuses to start unless every node that holds
 * keys says `noeviction`, or `--allow-eviction` accepts the risk (then a warning). A node that cannot be asked
 * (Redis down at start, CONFIG refused by an ACL) gives a warning: the server starts, since one that cannot reach
 * Redis must still start and report the store down.
 */
export async function requireNoEviction(store: RedisStore<StoreClient>, design: string, allowEviction: boolean, warn: (line: string) => void): Promise<void> {
  const nodes = await store.evictionPolicies();
  for (const n of nodes.filter((x) => x.policy === undefined)) {
    warn(`${design}: could not read maxmemory-policy on ${n.node} (${n.error ?? 'no answer'}); it must be noeviction, or Redis may evict a revocation and accept the revoked token again`);
  }
  const evicting = nodes.filter((x) => x.policy !== undefined && x.policy !== 'noeviction');
  if (evicting.length === 0) return;
  const what = evicting.map((n) => `${n.policy ?? ''} on ${n.node}`).join(', ');
  if (!allowEviction) {
    throw new InvalidOptionError(
      `${design} keeps revocations in Redis, and maxmemory-policy ${what} lets Redis evict them (a revoked token is then accepted again): set maxmemory-policy noeviction, or pass --allow-eviction to accept the risk`,
    );
  }
  warn(`${design}: maxmemory-policy ${what} lets Redis evict revocations, and a revoked token is then accepted again (started with --allow-eviction)`);
}
