import type { TimelineBucket } from './outage.js';

/** What a `kill-master` outage cell shows about the failover, in ms on the timeline's clock (since the load began). */
export interface FailoverSummary {
  /** The master that was SIGKILLed, and the replica expected to take over. */
  readonly killed: string;
  readonly replica: string | null;
  /** When the fault began (the kill). */
  readonly killedAtMs: number;
  /** From the kill until a surviving node listed the replica as a master; null when not seen within the watch. */
  readonly promotedAfterMs: number | null;
  /** From the kill to the end of the first and of the last timeline bucket with a 503 or an error; null if none. */
  readonly firstFailureAfterMs: number | null;
  readonly lastFailureAfterMs: number | null;
  /** Buckets after the kill with at least one 503 or error. */
  readonly failingBuckets: number;
}

const failing = (b: TimelineBucket): boolean => b.unavailable503 > 0 || b.errors > 0;

/**
 * The failover as the timeline shows it: when requests started failing after the kill and when they stopped.
 * Pure: a function of the watch's figures and the timeline (buckets ending after the kill).
 */
export function summariseFailover(
  watch: { readonly killed: string; readonly replica: string | null; readonly promotedAfterMs: number | null },
  killedAtMs: number,
  timeline: readonly TimelineBucket[],
): FailoverSummary {
  const after = timeline.filter((b) => b.endMs > killedAtMs && failing(b));
  const first = after[0];
  const last = after[after.length - 1];
  return {
    killed: watch.killed,
    replica: watch.replica,
    killedAtMs: Math.round(killedAtMs),
    promotedAfterMs: watch.promotedAfterMs,
    firstFailureAfterMs: first === undefined ? null : Math.round(first.endMs - killedAtMs),
    lastFailureAfterMs: last === undefined ? null : Math.round(last.endMs - killedAtMs),
    failingBuckets: after.length,
  };
}
