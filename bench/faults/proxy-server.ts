/**
 * The engine of the Redis proxy (see proxy.ts for the handle the runner uses): a TCP proxy between the auth
 * servers and Redis that injects network faults: added latency, a partition (blackhole), connection resets and a
 * flapping link. It never parses RESP, so the servers see what a real network would do to their Redis connections.
 * node:net only, so it runs wherever authbench runs; and loopback only, because it has no authentication of its
 * own and would expose the Redis behind it. It runs in a process of its own (proxy-process.ts), so the load
 * generator's work in the runner never holds a reply back.
 *
 * Delays: every Redis → client chunk is stamped `due = arrival + delay − lead` and written once performance.now()
 * has reached it. setTimeout alone would round each hold up to whole ms (asking 0.25 ms added ~1.2 ms), so one
 * release clock (release-clock.ts, where its resolution and CPU cost are measured) serves every connection, finer
 * than a millisecond; every due reply of a connection is written in one corked batch. The lead is the clock's median
 * lateness (never more than the delay): released that much early, a reply's median hold is the delay asked, where
 * without it a busy machine added its wake-up time on top. So the hold of any one reply is at least delay − lead,
 * and stats().largestLeadMs says how large the lead ever was.
 * Each connection keeps one FIFO queue, so lowering the delay never lets a later reply overtake an earlier one.
 * Commands (client → Redis) are not delayed: the delay is added once per round trip, which is what
 * `--redis-latency` means.
 *
 * Base delay: setBaseDelay(ms) is the whole-run latency and stays in force through every fault and restore();
 * setDelay(ms) adds on top of it (effective = base + extra), restore() sets the extra back to 0.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { InvalidOptionError } from '../../lib/errors.js';
import { ReleaseClock } from './release-clock.js';

export interface RedisProxyOptions {
  /** Where Redis listens (need not be loopback: --redis-url may name another host). `[::1]` (URL.hostname) is accepted. */
  readonly upstreamHost: string;
  readonly upstreamPort: number;
  /** A loopback address to listen on (127.0.0.0/8, ::1 or localhost); anything else is refused. Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port picked by the OS. */
  readonly port?: number;
}

/** `flap` alternates between `reset` (down) and `pass` (up). A delay is `pass` with a non-zero delay. */
export type ProxyMode = 'pass' | 'blackhole' | 'reset' | 'flap';

/**
 * For reporting. connectionsAccepted includes connections reset at once; bytesUp is client → Redis, bytesDown
 * Redis → client counted when written (after any delay); resets counts connections the proxy reset on purpose
 * (reset(), flap()), not a reset passed on from one side to the other.
 */
export interface ProxyStats {
  readonly connectionsAccepted: number;
  readonly connectionsOpen: number;
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly resets: number;
  /** The release clock's median lateness now, ms: the lead it gives each delayed reply. */
  readonly releaseLeadMs: number;
  /** The largest lead given to any reply so far, ms: every reply was held at least its delay minus this. */
  readonly largestLeadMs: number;
}

/** One client connection and its connection to Redis. */
interface Conn {
  readonly client: Socket;
  /** Undefined while a connection accepted in a blackhole waits for restore(): across a partition it could not reach Redis. */
  upstream: Socket | undefined;
  /** Redis replies waiting out the delay, oldest first; `due` is a performance.now() time. */
  readonly queue: { due: number; data: Buffer }[];
  /** Redis closed cleanly: close the client once the queue is written. */
  upstreamEnded: boolean;
  closed: boolean;
}

export const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

export function checkDelay(ms: number, what: string): number {
  if (!Number.isFinite(ms) || ms < 0) throw new InvalidOptionError(`${what} must be a finite number of milliseconds ≥ 0, got ${ms}`);
  return ms;
}

export class ProxyServer {
  private modeNow: ProxyMode = 'pass';
  private flapDown = false;
  private flapTimer: NodeJS.Timeout | undefined;
  private baseDelayMs = 0;
  private extraDelayMs = 0;
  private readonly conns = new Set<Conn>();
  /** Every socket not yet closed, both sides, so that close() can destroy and wait for all of them. */
  private readonly sockets = new Set<Socket>();
  private readonly counters = { connectionsAccepted: 0, bytesUp: 0, bytesDown: 0, resets: 0 };
  private closing: Promise<void> | undefined;
  /** Writes queued replies when they are due; stopped while nothing flows (blackhole, flap down) and once closing. */
  private readonly clock = new ReleaseClock<Conn>(
    (c, now) => this.writeDue(c, now),
    () => this.forwarding && this.closing === undefined,
  );

  private constructor(
    private readonly server: Server,
    private readonly upstream: RedisProxyOptions,
    readonly port: number,
    readonly url: string,
  ) {
    server.on('connection', (client: Socket) => this.accept(client));
    // Once listening, the only server errors are failed accepts (EMFILE): that client just sees a refusal.
    server.on('error', () => {});
  }

  /** Listens on loopback and resolves once connections are accepted. */
  static async start(options: RedisProxyOptions): Promise<ProxyServer> {
    const host = options.host ?? '127.0.0.1';
    if (!LOOPBACK.test(host)) throw new InvalidOptionError(`the Redis proxy listens on loopback only, not ${host}`);
    const server = createServer({ noDelay: true });
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : 0);
      });
    });
    return new ProxyServer(server, options, port, `redis://${host.includes(':') ? `[${host}]` : host}:${port}`);
  }

  get mode(): ProxyMode {
    return this.modeNow;
  }

  /** The delay given to replies arriving now: base + extra. */
  get delayMs(): number {
    return this.baseDelayMs + this.extraDelayMs;
  }

  /** The whole-run latency (--redis-latency), kept across faults and restore(). Does not change the mode. */
  setBaseDelay(ms: number): void {
    this.baseDelayMs = checkDelay(ms, 'the base delay');
  }

  /** Pass mode with `ms` on top of the base delay. Ends any other fault; replies already queued keep their time. */
  setDelay(ms: number): void {
    this.extraDelayMs = checkDelay(ms, 'the delay');
    this.switchTo('pass');
  }

  /**
   * A partition: connections stay open and nothing moves either way. Both sides are paused, so bytes stay in
   * Node's and the kernel's buffers (TCP flow control does the rest) instead of being lost; new connections are
   * accepted and held without a connection to Redis until restore().
   */
  blackhole(): void {
    this.switchTo('blackhole');
  }

  /** Resets (RST) both sides of every open connection, and every new connection while in this mode. */
  reset(): void {
    this.switchTo('reset');
  }

  /** Down (as reset()) for periodMs, then up (pass) for periodMs, and so on until restore() or another mode. */
  flap(periodMs = 500): void {
    if (!Number.isFinite(periodMs) || periodMs <= 0) throw new InvalidOptionError(`the flap period must be > 0 ms, got ${periodMs}`);
    this.switchTo('flap');
    this.flapTimer = setInterval(() => {
      this.flapDown = !this.flapDown;
      this.apply();
    }, periodMs);
  }

  /** Back to pass with the base delay only: held bytes flow again, as after a healed partition. */
  restore(): void {
    this.extraDelayMs = 0;
    this.switchTo('pass');
  }

  stats(): ProxyStats {
    return { ...this.counters, connectionsOpen: this.conns.size, releaseLeadMs: this.clock.lateness.medianMs, largestLeadMs: this.clock.lateness.largestMs };
  }

  /** Stops listening and destroys every connection; resolves once all are closed. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.flapTimer);
      await this.clock.close();
      const listenerClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const c of this.conns) this.drop(c, false);
      const socketsClosed = [...this.sockets].map((s) => new Promise<void>((resolve) => (s.closed ? resolve() : s.once('close', () => resolve()))));
      for (const s of this.sockets) s.destroy();
      await Promise.all([listenerClosed, ...socketsClosed]);
    })();
    return this.closing;
  }

  private get forwarding(): boolean {
    return this.modeNow === 'pass' || (this.modeNow === 'flap' && !this.flapDown);
  }

  private get down(): boolean {
    return this.modeNow === 'reset' || (this.modeNow === 'flap' && this.flapDown);
  }

  private switchTo(mode: ProxyMode): void {
    if (this.closing) return;
    clearInterval(this.flapTimer);
    this.modeNow = mode;
    this.flapDown = mode === 'flap';
    this.apply();
  }

  /** Brings every live connection in line with the current mode. */
  private apply(): void {
    for (const c of this.conns) {
      if (this.down) {
        this.counters.resets++;
        this.drop(c, true);
      } else if (this.forwarding) {
        if (c.upstream === undefined) this.connectUpstream(c);
        c.client.resume();
        c.upstream?.resume();
      } else {
        c.client.pause();
        c.upstream?.pause();
      }
    }
    this.clock.arm();
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    // Every error is followed by 'close' (hadError = true), which decides what happens to the other side.
    socket.on('error', () => {});
    socket.once('close', () => this.sockets.delete(socket));
  }

  private accept(client: Socket): void {
    this.counters.connectionsAccepted++;
    this.track(client);
    if (this.down) {
      this.counters.resets++;
      client.resetAndDestroy();
      return;
    }
    const c: Conn = { client, upstream: undefined, queue: [], upstreamEnded: false, closed: false };
    this.conns.add(c);
    // Paused before the 'data' listener is added, a held connection does not start flowing.
    if (this.forwarding) this.connectUpstream(c);
    else client.pause();
    client.on('data', (data: Buffer) => {
      this.counters.bytesUp += data.length;
      if (c.upstream?.write(data) === false) client.pause();
    });
    client.on('drain', () => this.forwarding && c.upstream?.resume());
    client.once('close', (hadError) => {
      if (c.closed) return;
      if (hadError) return this.drop(c, true);
      this.forget(c);
      c.upstream?.destroySoon(); // what the client sent last (QUIT) still reaches Redis
    });
  }

  private connectUpstream(c: Conn): void {
    const host = this.upstream.upstreamHost.replace(/^\[(.*)\]$/, '$1');
    const upstream = connect({ host, port: this.upstream.upstreamPort, noDelay: true });
    c.upstream = upstream;
    this.track(upstream);
    upstream.on('data', (data: Buffer) => this.received(c, data));
    upstream.on('drain', () => this.forwarding && c.client.resume());
    upstream.once('close', (hadError) => {
      if (c.closed) return;
      // A refused connect or a reset from Redis reaches the client as a reset, as it would without the proxy.
      if (hadError) return this.drop(c, true);
      c.upstreamEnded = true;
      if (c.queue.length === 0) c.client.destroySoon();
    });
  }

  /** A reply from Redis: straight through when there is no delay and nothing waits, else queued behind the rest. */
  private received(c: Conn, data: Buffer): void {
    const delay = this.delayMs;
    if (delay === 0 && c.queue.length === 0) return this.send(c, data);
    c.queue.push({ due: performance.now() + delay - this.clock.lateness.leadFor(delay), data });
    this.clock.add(c);
  }

  private send(c: Conn, data: Buffer): void {
    this.counters.bytesDown += data.length;
    if (!c.client.write(data)) c.upstream?.pause();
  }

  /** Writes c's due replies in order, in one corked batch; true once nothing of c's waits. */
  private writeDue(c: Conn, now: number): boolean {
    let due = 0;
    while (due < c.queue.length && (c.queue[due]?.due ?? Infinity) <= now) due++;
    if (due > 0) {
      c.client.cork();
      for (const item of c.queue.splice(0, due)) this.send(c, item.data);
      c.client.uncork();
    }
    if (c.queue.length > 0) return false;
    if (c.upstreamEnded) c.client.destroySoon();
    return true;
  }

  private forget(c: Conn): void {
    c.closed = true;
    this.conns.delete(c);
    this.clock.delete(c);
    c.queue.length = 0;
  }

  /** Closes both sides now, with a reset (RST) when `reset`. */
  private drop(c: Conn, reset: boolean): void {
    if (c.closed) return;
    this.forget(c);
    for (const s of [c.client, c.upstream]) {
      if (s === undefined || s.destroyed) continue;
      if (reset) s.resetAndDestroy();
      else s.destroy();
    }
  }
}
