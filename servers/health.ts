import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface HealthSnapshot {
  /** HTTP requests received and not yet answered or aborted. */
  readonly inFlight: number;
  readonly rssBytes: number;
  /** Largest resident set size of the process so far. */
  readonly maxRssBytes: number;
  readonly heapUsedBytes: number;
  /** Event-loop delay since the previous snapshot (the histogram is reset on every read). */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  /** CPU time of the process since it started (process.cpuUsage), microseconds. */
  readonly cpuUserUs: number;
  readonly cpuSystemUs: number;
  /** HTTP bytes read and written on all connections since start (headers and bodies, as on the wire). */
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** Sampling interval of the event-loop monitor. Node records the interval between its ticks, so an idle loop
 * reads about this much: it is subtracted to give the delay. */
const LOOP_RESOLUTION_MS = 10;

/**
 * What the server says about itself while under load or during a Redis fault: requests in flight, memory,
 * event-loop delay, CPU and bytes on the wire. In-flight is counted on the raw Node server (a response's `close`
 * fires once, whether it finished or the client went away), so it cannot drift when clients time out. Bytes are
 * counted per connection, not per request, so the hot path pays nothing for them.
 */
export class ProcessHealth {
  private inFlight = 0;
  private readonly loopDelay: IntervalHistogram;
  private readonly sockets = new Set<Socket>();
  private closedBytesIn = 0;
  private closedBytesOut = 0;

  constructor(server: Server) {
    server.on('request', (_req, res) => {
      this.inFlight++;
      res.once('close', () => this.inFlight--);
    });
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => {
        this.closedBytesIn += socket.bytesRead;
        this.closedBytesOut += socket.bytesWritten;
        this.sockets.delete(socket);
      });
    });
    this.loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.loopDelay.enable();
  }

  snapshot(): HealthSnapshot {
    const mem = process.memoryUsage();
    const cpu = process.cpuUsage();
    const h = this.loopDelay;
    const toMs = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, Math.round(ns / 1e4) / 100 - LOOP_RESOLUTION_MS) : 0);
    let bytesIn = this.closedBytesIn;
    let bytesOut = this.closedBytesOut;
    for (const s of this.sockets) {
      bytesIn += s.bytesRead;
      bytesOut += s.bytesWritten;
    }
    const snap = {
      inFlight: this.inFlight,
      rssBytes: mem.rss,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      heapUsedBytes: mem.heapUsed,
      eventLoopDelayP99Ms: h.count > 0 ? toMs(h.percentile(99)) : 0,
      eventLoopDelayMaxMs: h.count > 0 ? toMs(h.max) : 0,
      cpuUserUs: cpu.user,
      cpuSystemUs: cpu.system,
      bytesIn,
      bytesOut,
    };
    h.reset();
    return snap;
  }

  close(): void {
    this.loopDelay.disable();
  }
}
