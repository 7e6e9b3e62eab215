import { channel } from 'node:diagnostics_channel';
import { Pool } from 'undici';
import type { ErrorEvent, RequestKind, ResponseEvent } from '../measure/outage-events.js';

export interface OutageLoadOptions {
  readonly url: string;
  readonly rate: number;
  /** Most connections the pool opens (requests beyond wait for one, and their wait counts in latency). */
  readonly connections: number;
  readonly durationSec: number;
  readonly timeoutSec: number;
  readonly validTokens: readonly string[];
  readonly revokedTokens: readonly string[];
  /** Every `round(1 / revokedShare)`-th request carries a revoked token. */
  readonly revokedShare: number;
  readonly signal?: AbortSignal | undefined;
}

export interface OutageLoadResult {
  readonly sent: number;
  readonly responses: ResponseEvent[];
  readonly errors: ErrorEvent[];
  /** Largest lag of the pacer behind schedule (ms): a large value means the generator could not keep the rate. */
  readonly maxPacerLagMs: number;
}

/** The pacer's period: requests due in a tick are sent together (timers fire about every millisecond). */
export const TICK_MS = 1;

/**
 * A true open-loop load: request i is due at i / rate seconds after the start and is sent then, whether or not
 * earlier ones were answered (as wrk2 does). Latency runs from the intended send time to the response, so a
 * stall is counted in full (no coordinated omission). autocannon's open loop meters each connection in one-second
 * windows, which sends bursts at every second boundary and would blur a 250 ms timeline, so the outage scenario
 * paces its own requests and leaves HTTP to undici's connection pool.
 *
 * Every request ends as a response, an error, or a timeout (undici's headers and body timeouts): none is dropped.
 */
export async function runOutageLoad(opts: OutageLoadOptions, onStart?: (now: () => number) => void): Promise<OutageLoadResult> {
  const origin = new URL(opts.url).origin;
  const pool = new Pool(origin, {
    connections: opts.connections,
    pipelining: 1,
    headersTimeout: opts.timeoutSec * 1000,
    bodyTimeout: opts.timeoutSec * 1000,
    connectTimeout: opts.timeoutSec * 1000,
  });
  const responses: ResponseEvent[] = [];
  const errors: ErrorEvent[] = [];
  const every = Math.max(1, Math.round(1 / opts.revokedShare));
  const total = Math.round(opts.rate * opts.durationSec);
  const started = performance.now();
  const now = (): number => performance.now() - started;
  const pending = new Set<Promise<void>>();
  // When each request's headers actually went out (undici's diagnostics channel), so that the latency a naive,
  // uncorrected tool would report (from the write, not from the intended send time) is known too.
  const writtenAt = new Map<number, number>();
  const sendHeaders = channel('undici:client:sendHeaders');
  const onSend = (message: unknown): void => {
    const m = /x-authbench-id: (\d+)/i.exec(String((message as { headers?: unknown }).headers ?? ''));
    if (m?.[1] !== undefined) writtenAt.set(Number(m[1]), now());
  };
  sendHeaders.subscribe(onSend);
  let sent = 0;
  let vi = 0;
  let ri = 0;
  let maxLag = 0;

  const send = (i: number): void => {
    const due = (i * 1000) / opts.rate;
    const revoked = opts.revokedTokens.length > 0 && i % every === every - 1;
    const kind: RequestKind = revoked ? 'revoked' : 'valid';
    const token = revoked ? (opts.revokedTokens[ri++ % opts.revokedTokens.length] as string) : (opts.validTokens[vi++ % opts.validTokens.length] as string);
    sent++;
    const p = pool
      .request({ path: '/me', method: 'GET', headers: { authorization: `Bearer ${token}`, 'x-authbench-id': String(i) } })
      .then(async (res) => {
        await res.body.dump();
        const t = now();
        const written = writtenAt.get(i);
        writtenAt.delete(i);
        responses.push({ t, latencyMs: t - due, ...(written === undefined ? {} : { sentLatencyMs: t - written }), status: res.statusCode, kind, token });
      })
      .catch((err: unknown) => {
        const code = (err as { code?: string }).code ?? '';
        errors.push({ t: now(), timeout: /TIMEOUT/.test(code) });
      })
      .finally(() => pending.delete(p));
    pending.add(p);
  };

  onStart?.(now);
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = (): void => {
      if (opts.signal?.aborted) next = total;
      const elapsed = now();
      const dueCount = Math.min(total, Math.floor((elapsed * opts.rate) / 1000) + 1);
      if (dueCount > next) maxLag = Math.max(maxLag, elapsed - (next * 1000) / opts.rate);
      while (next < dueCount) send(next++);
      if (next >= total) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, TICK_MS);
    tick();
  });
  await Promise.allSettled([...pending]);
  sendHeaders.unsubscribe(onSend);
  await pool.destroy();
  return { sent, responses, errors, maxPacerLagMs: maxLag };
}
