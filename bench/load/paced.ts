import { Worker } from 'node:worker_threads';
import { figuresOf, mergeHistograms, type LatencyFigures } from '../measure/histogram.js';
import type { ErrorEvent, ResponseEvent } from '../measure/outage-events.js';
import type { SessionTally } from '../../scenarios/scenario.js';

export interface PacedLoadOptions {
  readonly url: string;
  readonly rate: number;
  /** Most connections the pool opens (requests beyond wait for one, and their wait counts in latency). */
  readonly connections: number;
  readonly durationSec: number;
  /**
   * Paced requests before the measured ones, not recorded (default 0): the generator's thread is fresh, and its
   * first thousands of requests run cold code; the server settles at the rate too.
   */
  readonly warmupSec?: number;
  readonly timeoutSec: number;
  readonly validTokens: readonly string[];
  /**
   * The user each valid token was issued to (same order), when known: a sample of the 200 bodies is then checked
   * against it (as the throughput cells do), and a body that names another user is a content mismatch.
   */
  readonly validUsers?: readonly string[];
  readonly revokedTokens: readonly string[];
  /** Every `round(1 / revokedShare)`-th request carries a revoked token (none when there are no revoked tokens). */
  readonly revokedShare: number;
  readonly signal?: AbortSignal | undefined;
  /** Keep every response and error as an event (the outage timeline needs them; equal-load cells only the histograms). */
  readonly keepEvents?: boolean;
  /** Default `/me`. */
  readonly path?: string;
  /**
   * Drive whole sessions instead of single GET /me requests (validTokens and revokedTokens are then unused): a
   * session starts at each due time, at `rate ÷ (mePerSession + 2)` sessions per second so that `rate` stays the
   * offered requests per second, and sends POST /login → mePerSession × GET /me → POST /logout, each request when
   * the previous one is answered (as one client does). Latency runs from each request's intended send time: the
   * session's due time for its login, the previous answer for the others. A failed login ends its session.
   */
  readonly session?: PacedSession;
}

/** The requests of a paced session: the login bodies to rotate over, each with its user, and the GET /me count. */
export interface PacedSession {
  readonly logins: readonly { readonly body: string; readonly username: string }[];
  readonly mePerSession: number;
  /**
   * A design with refresh tokens: before each GET /me the client refreshes instead (POST /refresh) when its access
   * token has less than this many ms left by its `exp` (scenarios/session.ts refreshDue), as the closed-loop session
   * does. Absent: never.
   */
  readonly refreshAheadMs?: number;
}

/** Requests one paced session sends: its login, its GET /me requests and its logout. */
export const requestsPerSession = (s: Pick<PacedSession, 'mePerSession'>): number => s.mePerSession + 2;

/** What the worker thread is given: the options, every default filled in, without the signal (plain data). */
export type PacedWorkerData = Required<Omit<PacedLoadOptions, 'signal' | 'session'>> & { readonly session: PacedSession | null };

/** What the worker thread measured (plain data; histograms are µs, HdrHistogram compressed base64). */
export interface PacedWorkerResult {
  readonly sent: number;
  /** ms from request 0's due time until the last request was sent; endedMs: until the last one ended. */
  readonly sendingMs: number;
  readonly endedMs: number;
  readonly statusCounts: Record<string, number>;
  /** Requests that ended without a response (connection errors and timeouts), and the timeouts among them. */
  readonly errors: number;
  readonly timeouts: number;
  /** From each request's intended send time to its response: coordinated omission corrected. */
  readonly correctedHistogram: string;
  /** From each request's actual write to its response: what a tool without the correction reports. */
  readonly uncorrectedHistogram: string;
  /** How late each request was sent behind its due time (the generator's own error). */
  readonly pacerLagHistogram: string;
  readonly maxPacerLagMs: number;
  /** 200 bodies checked against the token's user, and those that named another (0 and 0 without validUsers). */
  readonly contentChecked: number;
  readonly contentMismatches: number;
  /** Sessions measured (logins answered 200) and their refreshes; null for GET /me loads. */
  readonly sessions: SessionTally | null;
  /** Share of the HTTP thread's time spent working rather than waiting (1 = it could not keep up). */
  readonly eventLoopUtilization: number;
  readonly responseEvents: readonly ResponseEvent[];
  readonly errorEvents: readonly ErrorEvent[];
}

export interface PacedLoadResult extends PacedWorkerResult {
  /** Figures of the three histograms, in ms. */
  readonly corrected: LatencyFigures;
  readonly uncorrected: LatencyFigures;
  readonly pacerLag: LatencyFigures;
  /** Kept for the outage and capacity readers: the events (empty unless keepEvents). */
  readonly responses: readonly ResponseEvent[];
  readonly errorList: readonly ErrorEvent[];
}

/** The generator's own error must stay under this, or a step's latency is partly the generator's: 200 µs. */
export const PACER_LAG_LIMIT_MS = 0.2;

/**
 * Whether a step's latency can be trusted: the pacer's lag p99 under 10% of the measured p99 or under 200 µs
 * (whichever is larger). Pure.
 */
export function pacerLagAcceptable(lagP99Ms: number, measuredP99Ms: number): boolean {
  return lagP99Ms <= Math.max(PACER_LAG_LIMIT_MS, 0.1 * measuredP99Ms);
}

const figures = (encoded: string): LatencyFigures => {
  const h = mergeHistograms([encoded]);
  const f = figuresOf(h);
  h.destroy();
  return f;
};

/**
 * A true open-loop load of GET /me (as wrk2 does): request i is due at i / rate seconds after the start and is
 * sent then, whether or not earlier ones were answered; latency runs from the intended send time to the response,
 * so a stall is counted in full (no coordinated omission). The generator runs off the caller's thread: a pacer
 * thread sleeps until each request is due (sub-millisecond), an HTTP thread sends over undici's pool and records
 * latencies into microsecond histograms; the caller's event loop (fault injection, a proxy, health sampling) is
 * not in the measurement, and the generator's own lag is measured (pacerLag).
 *
 * `onStart(now)` is called when request 0 (the first measured one, after any warm-up) is due, with a clock (ms since then) shared with the events' `t`.
 * Every request ends as a response, an error, or a timeout (undici's headers and body timeouts): none is dropped.
 */
export async function runPacedLoad(opts: PacedLoadOptions, onStart?: (now: () => number) => void): Promise<PacedLoadResult> {
  const data: PacedWorkerData = {
    url: opts.url,
    path: opts.path ?? '/me',
    rate: opts.rate,
    connections: opts.connections,
    durationSec: opts.durationSec,
    warmupSec: opts.warmupSec ?? 0,
    timeoutSec: opts.timeoutSec,
    validTokens: opts.validTokens,
    validUsers: opts.validUsers ?? [],
    revokedTokens: opts.revokedTokens,
    revokedShare: opts.revokedShare,
    keepEvents: opts.keepEvents ?? false,
    session: opts.session ?? null,
  };
  const worker = new Worker(new URL('./paced-worker.js', import.meta.url), { workerData: data });
  const onAbort = (): void => worker.postMessage('stop');
  try {
    const result = await new Promise<PacedWorkerResult>((resolve, reject) => {
      worker.on('message', (m: { type: string; startNs?: string; result?: PacedWorkerResult }) => {
        if (m.type === 'ready') {
          if (opts.signal?.aborted) onAbort();
          opts.signal?.addEventListener('abort', onAbort, { once: true });
          worker.postMessage('go');
        } else if (m.type === 'started') {
          const start = BigInt(m.startNs as string);
          const now = (): number => Number(process.hrtime.bigint() - start) / 1e6;
          // Called when request 0 is due, so the caller's timers count from the same instant as the events.
          const wait = Math.max(0, -now());
          if (onStart !== undefined) setTimeout(() => onStart(now), wait);
        } else if (m.type === 'done') resolve(m.result as PacedWorkerResult);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the load generator's thread exited (code ${code}) before it reported`)));
    });
    return {
      ...result,
      corrected: figures(result.correctedHistogram),
      uncorrected: figures(result.uncorrectedHistogram),
      pacerLag: figures(result.pacerLagHistogram),
      responses: result.responseEvents,
      errorList: result.errorEvents,
    };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}
