/**
 * What fault tests watch while they stop, kill and restart Redis (LocalRedis.pause/resume/kill/restart):
 * a stream of /me requests and /health readings, every one recorded with its timing.
 */
import { performance } from 'node:perf_hooks';
import { request } from './http.js';

/** A failed fetch with its cause (undici's "fetch failed" alone does not say whether it was a reset or a timeout). */
export function fetchFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  return cause === undefined ? String(err) : `${String(err)} (${String(cause.code)}: ${String(cause.message)})`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `intervalMs` until it returns a value other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000, intervalMs = 25): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** One request of a traffic stream. Times are performance.now() milliseconds. */
export interface Sample {
  readonly startedAt: number;
  readonly endedAt: number;
  /** The HTTP status, or 0 when the request itself failed (reset, client-side timeout). */
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: unknown;
  readonly error?: string;
}

export const durationOf = (s: Sample): number => s.endedAt - s.startedAt;

/**
 * Keeps `concurrency` GET /me requests with one token in flight, back to back (with a short pause), and records
 * every one. Each request has a client-side timeout well above any bound a test asserts, so a hang is recorded
 * (as a long duration or status 0) instead of stopping the stream.
 */
export class MeTraffic {
  readonly samples: Sample[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(
    private readonly base: string,
    private readonly token: string,
    concurrency = 3,
    private readonly pauseMs = 5,
  ) {
    this.loops = Array.from({ length: concurrency }, () => this.loop());
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const startedAt = performance.now();
      try {
        const r = await request(`${this.base}/me`, { headers: { authorization: `Bearer ${this.token}` }, timeoutMs: 10_000 });
        this.samples.push({ startedAt, endedAt: performance.now(), status: r.status, retryAfter: r.headers.get('retry-after'), body: r.body });
      } catch (err) {
        this.samples.push({ startedAt, endedAt: performance.now(), status: 0, retryAfter: null, body: undefined, error: fetchFailure(err) });
      }
      await sleep(this.pauseMs);
    }
  }

  /** Resolves with the first sample started after `t` that satisfies `pred`, polling while the traffic runs. */
  firstAfter(t: number, pred: (s: Sample) => boolean, timeoutMs = 5000): Promise<Sample> {
    return waitFor('a matching /me reply', () => this.samples.find((s) => s.startedAt >= t && pred(s)), timeoutMs, 10);
  }

  /** Stops issuing requests and resolves once those in flight have ended; the samples sorted by start time. */
  async stop(): Promise<Sample[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.samples.sort((a, b) => a.startedAt - b.startedAt);
  }
}

/** One GET /health reading. */
export interface HealthSample {
  readonly startedAt: number;
  readonly endedAt: number;
  /** The `store` field, or `error: ...` when the request failed. */
  readonly store: string;
}

/** Reads GET /health every `intervalMs` until stopped. */
export class HealthWatch {
  readonly samples: HealthSample[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly base: string,
    private readonly intervalMs = 50,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const startedAt = performance.now();
      let store: string;
      try {
        const r = await request(`${this.base}/health`, { timeoutMs: 10_000 });
        store = String((r.body as { store?: unknown } | undefined)?.store);
      } catch (err) {
        store = `error: ${fetchFailure(err)}`;
      }
      this.samples.push({ startedAt, endedAt: performance.now(), store });
      await sleep(this.intervalMs);
    }
  }

  async stop(): Promise<HealthSample[]> {
    this.running = false;
    await this.loop;
    return this.samples;
  }
}

/** GET /health's `store` field. */
export async function storeHealth(base: string): Promise<string> {
  let r;
  try {
    r = await request(`${base}/health`);
  } catch (err) {
    throw new Error(`GET /health failed: ${fetchFailure(err)}`, { cause: err });
  }
  return String((r.body as { store?: unknown } | undefined)?.store);
}
