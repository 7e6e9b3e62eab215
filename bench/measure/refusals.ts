/**
 * Refusals by reason, from the servers' GET /metrics `rejected` counters read before and after a measured phase.
 * A 401 tells only that a token was refused; the reason tells whether it was refused by the check the scenario is
 * about (a revoked token: `revoked`, or a deleted session: `unknown_token`) or before any check (`malformed`).
 */

/** Refusals counted by the server in one phase, by reason (servers/metrics.ts; reasons in lib/errors.ts). */
export type RefusalCounts = Record<string, number>;

/** The `rejected` counters of a GET /metrics document, or undefined when it has none (not read, or not authbench's). */
export function rejectedOf(metrics: unknown): RefusalCounts | undefined {
  const rejected = (metrics as { rejected?: unknown } | undefined)?.rejected;
  if (rejected === null || typeof rejected !== 'object') return undefined;
  const out: RefusalCounts = {};
  for (const [reason, n] of Object.entries(rejected)) if (typeof n === 'number') out[reason] = n;
  return out;
}

/** The refusals counted between two readings of GET /metrics, the reasons that did not move left out. */
export function refusalDelta(before: unknown, after: unknown): RefusalCounts | undefined {
  const b = rejectedOf(before);
  const a = rejectedOf(after);
  if (a === undefined || b === undefined) return undefined;
  const out: RefusalCounts = {};
  for (const [reason, n] of Object.entries(a)) {
    const d = n - (b[reason] ?? 0);
    if (d > 0) out[reason] = d;
  }
  return out;
}

/** How many refusals carried a reason that is not one of `expected`. */
export function unexpectedRefusals(byReason: RefusalCounts, expected: readonly string[]): number {
  return Object.entries(byReason).reduce((sum, [reason, n]) => sum + (expected.includes(reason) ? 0 : n), 0);
}
