import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { encodeHistogram, figuresOf, latencyHistogram, recordMs, type LatencyFigures } from './histogram.js';

/** Round trip percentiles in ms (µs resolution). */
export interface RoundTripFigures {
  readonly p50: number;
  readonly p99: number;
}

/** The round trip through the latency proxy beside the one to Redis directly, and the delay that was asked. */
export interface RedisRoundTrip {
  readonly askedMs: number;
  readonly directMs: RoundTripFigures;
  readonly proxiedMs: RoundTripFigures;
  /** PINGs per measurement. */
  readonly samples: number;
}

export interface RoundTripOptions {
  /** PINGs timed (after a few untimed ones that open and warm the connection). Default 300. */
  readonly samples?: number;
  /** Pause between PINGs; 0 sends the next as soon as the last is answered. Default 1. */
  readonly intervalMs?: number;
}

const WARM_UP_PINGS = 20;

/**
 * PINGs Redis at `url` one at a time over a connection of its own and returns the p50 and p99 round trip, as a
 * client waiting on each reply sees it: the figure to put beside a delay that was asked of the proxy.
 */
export async function measureRoundTrip(url: string, options: RoundTripOptions = {}): Promise<RoundTripFigures> {
  const samples = options.samples ?? 300;
  const intervalMs = options.intervalMs ?? 1;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000, commandTimeout: 5000, enableOfflineQueue: false });
  client.on('error', () => {}); // a failed PING rejects below, which is what the caller sees
  const h = latencyHistogram();
  try {
    await client.connect();
    for (let i = 0; i < WARM_UP_PINGS; i++) await client.ping();
    for (let i = 0; i < samples; i++) {
      const start = performance.now();
      await client.ping();
      recordMs(h, performance.now() - start);
      if (intervalMs > 0) await sleep(intervalMs);
    }
    const { p50, p99 } = figuresOf(h);
    return { p50, p99 };
  } finally {
    h.destroy();
    client.disconnect();
  }
}

/** What a probe measured while it recorded: the round trip's figures (ms) and histogram (µs, compressed base64). */
export interface RoundTripSample {
  readonly figures: LatencyFigures;
  readonly histogram: string;
  /** PINGs that failed while recording (not in the histogram). */
  readonly failures: number;
}

/** A PING loop on a connection of its own: recording between begin() and end(). */
export interface RoundTripProbe {
  begin(): void;
  /** Stops the loop, closes the connection and returns what was recorded (undefined if nothing was). */
  end(): Promise<RoundTripSample | undefined>;
}

/**
 * Connects to Redis at `url` (the latency proxy, in a sweep) and PINGs it one at a time every `intervalMs` (default
 * 5: about 150 a second, a few thousandths of a loaded server's commands) until end(); the round trips from begin()
 * on are recorded. Run while a load goes through the same proxy, it measures the round trip the servers wait for
 * under that load, which an idle measurement before the cells does not.
 */
export async function startRoundTripProbe(url: string, options: { readonly intervalMs?: number } = {}): Promise<RoundTripProbe> {
  const intervalMs = options.intervalMs ?? 5;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000, commandTimeout: 5000, enableOfflineQueue: false });
  client.on('error', () => {}); // a failed PING is counted below
  await client.connect();
  for (let i = 0; i < WARM_UP_PINGS; i++) await client.ping();
  const h = latencyHistogram();
  let recording = false;
  let stopped = false;
  let failures = 0;
  const loop = (async () => {
    while (!stopped) {
      const start = performance.now();
      try {
        await client.ping();
        if (recording) recordMs(h, performance.now() - start);
      } catch {
        if (recording) failures++;
      }
      await sleep(intervalMs);
    }
  })();
  return {
    begin: () => void (recording = true),
    async end() {
      stopped = true;
      await loop;
      client.disconnect();
      const sample = h.totalCount === 0 ? undefined : { figures: figuresOf(h), histogram: encodeHistogram(h), failures };
      h.destroy();
      return sample;
    },
  };
}
