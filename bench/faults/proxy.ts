/**
 * The Redis proxy as the runner holds it: a handle on a child process (proxy-process.ts) that runs the proxy
 * (proxy-server.ts, where the delays and faults are described), controlled over IPC. In its own process the proxy
 * shares no event loop with the load generator, whose work would otherwise hold every Redis reply back.
 *
 * Arguments are checked here, so a bad one throws InvalidOptionError at once, as before; each operation resolves
 * once the proxy process has applied it. `mode` and `delayMs` are what was asked last, known without asking.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild, trackChild } from '../../lib/children.js';
import { InvalidOptionError } from '../../lib/errors.js';
import type { ProxyMessage, ProxyRequest } from './proxy-process.js';
import { checkDelay, LOOPBACK, type ProxyMode, type ProxyStats, type RedisProxyOptions } from './proxy-server.js';

export type { ProxyMode, ProxyStats, RedisProxyOptions };

/** The compiled entry of the proxy process (the proxy always runs from compiled JavaScript). */
const PROXY_PROCESS_PATH = fileURLToPath(new URL('./proxy-process.js', import.meta.url));

/** How long the proxy process may take to start listening. */
const START_TIMEOUT_MS = 10_000;


export class RedisProxy {
  private modeNow: ProxyMode = 'pass';
  private baseDelayMs = 0;
  private extraDelayMs = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (stats: ProxyStats | undefined) => void; reject: (err: Error) => void }>();
  /** The last stats the process sent, which stats() returns once it is closed. */
  private lastStats: ProxyStats = { connectionsAccepted: 0, connectionsOpen: 0, bytesUp: 0, bytesDown: 0, resets: 0, releaseLeadMs: 0, largestLeadMs: 0 };
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly url: string,
  ) {
    child.on('message', (m: ProxyMessage) => {
      if (m.type !== 'reply') return;
      const waiter = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.stats !== undefined) this.lastStats = m.stats;
      if (m.error === undefined) waiter?.resolve(m.stats);
      else waiter?.reject(new Error(`the Redis proxy: ${m.error}`));
    });
    child.once('exit', (code, signal) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`the Redis proxy process exited (code ${code}, signal ${signal})`));
      this.pending.clear();
    });
  }

  /** Forks the proxy process, which listens on loopback; resolves once it accepts connections. */
  static async start(options: RedisProxyOptions): Promise<RedisProxy> {
    const host = options.host ?? '127.0.0.1';
    if (!LOOPBACK.test(host)) throw new InvalidOptionError(`the Redis proxy listens on loopback only, not ${host}`);
    // No execArgv: flags of this process (--test, --inspect) are not the proxy's.
    const child = fork(PROXY_PROCESS_PATH, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [], serialization: 'json' });
    trackChild(child);
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the Redis proxy process did not listen within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
        const done = (): void => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
        };
        const onMessage = (m: ProxyMessage): void => {
          if (m.type === 'reply') return;
          done();
          if (m.type === 'started') resolve(m.port);
          else reject(new Error(`the Redis proxy could not start: ${m.message}`));
        };
        const onExit = (code: number | null, signal: string | null): void => {
          done();
          reject(new Error(`the Redis proxy process exited before listening (code ${code}, signal ${signal})`));
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send({ op: 'start', options } satisfies ProxyRequest);
      });
      return new RedisProxy(child, port, `redis://${host.includes(':') ? `[${host}]` : host}:${port}`);
    } catch (err) {
      await stopChild(child, 'SIGKILL', 0);
      throw err;
    }
  }

  /**
   * The URL that reaches `upstreamUrl` through this proxy: the proxy's host and port with the upstream URL's
   * userinfo (its password: the proxy forwards the AUTH as bytes), database path and options.
   */
  via(upstreamUrl: string): string {
    const target = new URL(upstreamUrl);
    const proxy = new URL(this.url);
    target.hostname = proxy.hostname;
    target.port = proxy.port;
    return target.href;
  }

  /** The proxy process's id. */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  get mode(): ProxyMode {
    return this.modeNow;
  }

  /** The delay given to replies arriving now: base + extra. */
  get delayMs(): number {
    return this.baseDelayMs + this.extraDelayMs;
  }

  /** The whole-run latency (--redis-latency), kept across faults and restore(). Does not change the mode. */
  setBaseDelay(ms: number): Promise<void> {
    this.baseDelayMs = checkDelay(ms, 'the base delay');
    return this.ask({ id: this.nextId++, op: 'setBaseDelay', value: ms });
  }

  /** Pass mode with `ms` on top of the base delay. Ends any other fault; replies already queued keep their time. */
  setDelay(ms: number): Promise<void> {
    this.extraDelayMs = checkDelay(ms, 'the delay');
    return this.switchTo('pass', { id: this.nextId++, op: 'setDelay', value: ms });
  }

  /**
   * A partition: connections stay open and nothing moves either way; new connections are accepted and held
   * without a connection to Redis until restore(). Held bytes flow again after restore().
   */
  blackhole(): Promise<void> {
    return this.switchTo('blackhole', { id: this.nextId++, op: 'blackhole' });
  }

  /** Resets (RST) both sides of every open connection, and every new connection while in this mode. */
  reset(): Promise<void> {
    return this.switchTo('reset', { id: this.nextId++, op: 'reset' });
  }

  /** Down (as reset()) for periodMs, then up (pass) for periodMs, and so on until restore() or another mode. */
  flap(periodMs = 500): Promise<void> {
    if (!Number.isFinite(periodMs) || periodMs <= 0) throw new InvalidOptionError(`the flap period must be > 0 ms, got ${periodMs}`);
    return this.switchTo('flap', { id: this.nextId++, op: 'flap', value: periodMs });
  }

  /** Back to pass with the base delay only: held bytes flow again, as after a healed partition. */
  restore(): Promise<void> {
    this.extraDelayMs = 0;
    return this.switchTo('pass', { id: this.nextId++, op: 'restore' });
  }

  /** The proxy's counters; once closed, those it had when it closed. */
  async stats(): Promise<ProxyStats> {
    if (this.closing !== undefined) {
      await this.closing;
      return this.lastStats;
    }
    return (await this.request({ id: this.nextId++, op: 'stats' })) ?? this.lastStats;
  }

  /** Closes every connection and ends the proxy process; resolves once it has exited. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.child.exitCode === null && this.child.signalCode === null) {
        // A graceful close first (every socket destroyed, the last stats sent); the process then ends either way.
        await this.request({ id: this.nextId++, op: 'close' }).catch(() => undefined);
      }
      if (this.child.connected) this.child.disconnect();
      await stopChild(this.child, 'SIGTERM', 2000);
    })();
    return this.closing;
  }

  private switchTo(mode: ProxyMode, request: Extract<ProxyRequest, { id: number }>): Promise<void> {
    if (this.closing === undefined) this.modeNow = mode;
    return this.ask(request);
  }

  /** An operation that changes the proxy: after close() there is nothing left to change. */
  private async ask(request: Extract<ProxyRequest, { id: number }>): Promise<void> {
    if (this.closing !== undefined) return;
    await this.request(request);
  }

  private request(request: Extract<ProxyRequest, { id: number }>): Promise<ProxyStats | undefined> {
    return new Promise((resolve, reject) => {
      if (!this.child.connected) return reject(new Error('the Redis proxy process is gone'));
      this.pending.set(request.id, { resolve, reject });
      this.child.send(request, (err) => {
        if (err === null) return;
        this.pending.delete(request.id);
        reject(err);
      });
    });
  }
}
