import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { figuresOf, latencyHistogram, recordMs } from './histogram.js';

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
