import type { RejectReason } from '../lib/errors.js';

/** Counters one server instance keeps and exposes on GET /metrics. Plain data, no I/O. */
export class ServerMetrics {
  readonly rejected: Partial<Record<RejectReason, number>> = {};
  /** Requests answered 503 because the store failed. */
  storeErrors = 0;
  /** jwt-blacklist with --blacklist-failure open: requests accepted without a revocation check. */
  uncheckedServed = 0;
  /** Redis calls the strategy made (issued, whatever the outcome). */
  storeCalls = 0;
  /** fast-jwt's verification cache (--jwt-cache N): lookups that found a verified token, and that did not. */
  jwtCacheHits = 0;
  jwtCacheMisses = 0;

  reject(reason: RejectReason): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
  }

  snapshot(): MetricsSnapshot {
    return {
      rejected: { ...this.rejected },
      storeErrors: this.storeErrors,
      uncheckedServed: this.uncheckedServed,
      storeCalls: this.storeCalls,
      jwtCacheHits: this.jwtCacheHits,
      jwtCacheMisses: this.jwtCacheMisses,
    };
  }
}

export interface MetricsSnapshot {
  rejected: Partial<Record<RejectReason, number>>;
  storeErrors: number;
  uncheckedServed: number;
  storeCalls: number;
  jwtCacheHits: number;
  jwtCacheMisses: number;
}
