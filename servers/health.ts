import type { Server } from 'node:http';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface HealthSnapshot {
  /** HTTP requests received and not yet answered or aborted. */
  readonly inFlight: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Event-loop delay since the previous snapshot (the histogram is reset on every read). */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
}

/**
 * What the server says about itself while under load or during a Redis fault: requests in flight, memory
 * and event-loop delay. In-flight is counted on the raw Node server (a response's `close` fires once, whether
 * it finished or the client went away), so it cannot drift when clients time out.
 */
/** Sampling interval of the event-loop monitor. Node records the interval between its ticks, so an idle loop
 * reads about this much: it is subtracted to give the delay. */
const LOOP_RESOLUTION_MS = 10;

export class ProcessHealth {
  private inFlight = 0;
  private readonly loopDelay: IntervalHistogram;

  constructor(server: Server) {
    server.on('request', (_req, res) => {
      this.inFlight++;
      res.once('close', () => this.inFlight--);
    });
    this.loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.loopDelay.enable();
  }

  snapshot(): HealthSnapshot {
    const mem = process.memoryUsage();
    const h = this.loopDelay;
    const toMs = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, Math.round(ns / 1e4) / 100 - LOOP_RESOLUTION_MS) : 0);
    const snap = {
      inFlight: this.inFlight,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      eventLoopDelayP99Ms: h.count > 0 ? toMs(h.percentile(99)) : 0,
      eventLoopDelayMaxMs: h.count > 0 ? toMs(h.max) : 0,
    };
    h.reset();
    return snap;
  }

  close(): void {
    this.loopDelay.disable();
  }
}
