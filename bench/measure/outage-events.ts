/** Raw data recorded during one outage run: the input of `analyseOutage` (plain JSON-serialisable data). */

/** 'valid': a token that should be accepted; 'revoked': a token revoked before the load started. */
export type RequestKind = 'valid' | 'revoked';

/** One answered request; t = ms since the load started, when the response arrived. */
export interface ResponseEvent {
  readonly t: number;
  readonly latencyMs: number;
  /** From when the request was actually written (what a tool without coordinated-omission correction reports). */
  readonly sentLatencyMs?: number;
  readonly status: number;
  readonly kind: RequestKind;
  readonly token: string;
}

/** A request that ended without a response (connection error or client timeout), at t. */
export interface ErrorEvent {
  readonly t: number;
  readonly timeout: boolean;
}

/** Sampled by the server (GET /metrics) during the run; fields undefined when the probe failed. */
export interface HealthSample {
  readonly t: number;
  readonly inFlight?: number;
  readonly rssBytes?: number;
  readonly eventLoopDelayP99Ms?: number;
  readonly eventLoopDelayMaxMs?: number;
}

/** ms since the load started: the fault is active in [faultStartMs, faultEndMs); the load stops at endMs. */
export interface OutageWindow {
  readonly faultStartMs: number;
  readonly faultEndMs: number;
  readonly endMs: number;
}

export interface OutageInput {
  readonly fault: string;
  readonly strategy: string;
  readonly policy: 'closed' | 'open' | 'none';
  readonly window: OutageWindow;
  /** Width of a timeline bucket, at most 250. */
  readonly bucketMs: number;
  /** Requests the load generator sent. */
  readonly sent: number;
  readonly responses: readonly ResponseEvent[];
  readonly errors: readonly ErrorEvent[];
  readonly health: readonly HealthSample[];
  /** From the server's metrics: requests served without checking Redis (fail-open policy). */
  readonly uncheckedServed: number;
  /** Latency above which a response counts as hung; default 1000. */
  readonly hungThresholdMs?: number;
  /** False for the jwt design, which cannot revoke. */
  readonly expectRevokedRefused: boolean;
}
