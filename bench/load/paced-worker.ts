/**
 * The HTTP side of the open-loop generator, on its own worker thread (see paced.ts): sends each request when the
 * pacer thread says it is due, over undici's pool, and records per request the latency from its intended send time
 * (corrected for coordinated omission), from its actual write (uncorrected) and the pacer's lag (actual send −
 * due), each into a microsecond HdrHistogram. Nothing else runs on this thread, so its lag is its own.
 *
 * workerData: PacedWorkerData. Messages in: 'go' (start now), 'stop' (stop sending, finish what is in flight).
 * Messages out: { type: 'ready' }, { type: 'started', startNs }, { type: 'done', result: PacedWorkerResult }.
 */
import { channel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { Pool } from 'undici';
import { encodeHistogram, latencyHistogram, recordMs } from '../measure/histogram.js';
import type { ErrorEvent, RequestKind, ResponseEvent } from '../measure/outage-events.js';
import { JSON_HEADERS, MeBodySample, tallyOf } from '../../scenarios/scenario.js';
import { refreshDue, SessionCounts, tokensOf } from '../../scenarios/session.js';
import { requestsPerSession, type PacedSession, type PacedWorkerData, type PacedWorkerResult } from './paced.js';

/** Request 0 is due this long after the go: time for the pacer thread to wake. */
const START_DELAY_MS = 2;

async function main(data: PacedWorkerData): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('paced-worker runs as a worker thread');
  const origin = new URL(data.url).origin;
  const pool = new Pool(origin, {
    connections: data.connections,
    pipelining: 1,
    headersTimeout: data.timeoutSec * 1000,
    bodyTimeout: data.timeoutSec * 1000,
    connectTimeout: data.timeoutSec * 1000,
  });
  const corrected = latencyHistogram();
  const uncorrected = latencyHistogram();
  const lag = latencyHistogram();
  const responses: ResponseEvent[] = [];
  const errors: ErrorEvent[] = [];
  const statusCounts: Record<string, number> = {};
  let errorCount = 0;
  let timeouts = 0;
  let maxLagMs = 0;
  // With the users of the tokens, 200 bodies are sampled as in the throughput cells (the first 1000, then every 100th).
  // A session's users are known from its login: its GET /me bodies are always sampled.
  const content = data.session !== null || (data.validUsers.length === data.validTokens.length && data.validUsers.length > 0) ? new MeBodySample() : undefined;
  const every = data.revokedShare > 0 ? Math.max(1, Math.round(1 / data.revokedShare)) : Infinity;
  // What the pacer paces: requests, or sessions of requestsPerSession requests each (the offered req/s is the same).
  const paceRate = data.session === null ? data.rate : data.rate / requestsPerSession(data.session);
  const total = Math.round(paceRate * data.durationSec);
  // Warm-up requests are paced like the others and come first (indexes −warmup … −1, due before 0): they tier up
  // the JIT of this fresh thread and settle the server at the rate, and are not recorded.
  const warmup = Math.round(paceRate * data.warmupSec);
  const shared = new SharedArrayBuffer(16);
  const stopFlag = new Int32Array(shared, 0, 2);
  const pacer = new Worker(new URL('./pacer-thread.js', import.meta.url), { workerData: { rate: paceRate, total: warmup + total, shared } });
  const pacerReady = new Promise<void>((resolve, reject) => {
    pacer.once('message', () => resolve());
    pacer.once('error', reject);
  });
  let startNs = 0n;
  const now = (): number => Number(process.hrtime.bigint() - startNs) / 1e6;
  // When each request's headers actually went out (undici's diagnostics channel, of this thread's undici).
  const writtenAt = new Map<number, number>();
  const sendHeaders = channel('undici:client:sendHeaders');
  const onSend = (message: unknown): void => {
    const m = /x-authbench-id: (\d+)/i.exec(String((message as { headers?: unknown }).headers ?? ''));
    if (m?.[1] !== undefined) writtenAt.set(Number(m[1]), now());
  };
  sendHeaders.subscribe(onSend);
  const pending = new Set<Promise<void>>();
  let sent = 0;
  let vi = 0;
  let ri = 0;

  const logins = data.session?.logins ?? [];
  const tally = new SessionCounts();
  let nextId = 0;
  /**
   * One request of a session, timed from `intended` when `measured`; resolves with its status, the time it ended and,
   * when `read(status)` says so, its body. A request that ends without a response is counted and rejects.
   */
  const sessionRequest = async (measured: boolean, intended: number, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body: string | undefined, read: (status: number) => boolean): Promise<{ status: number; t: number; text: string | undefined }> => {
    const id = nextId++;
    if (measured) sent++;
    try {
      const res = await pool.request({ path, method, headers: measured ? { ...headers, 'x-authbench-id': String(id) } : headers, ...(body === undefined ? {} : { body }) });
      const status = res.statusCode;
      let text: string | undefined;
      if (read(status)) text = await res.body.text();
      else await res.body.dump();
      const t = now();
      if (measured) {
        const written = writtenAt.get(id);
        writtenAt.delete(id);
        recordMs(corrected, t - intended);
        if (written !== undefined) recordMs(uncorrected, t - written);
        statusCounts[String(status)] = (statusCounts[String(status)] ?? 0) + 1;
        if (data.keepEvents) responses.push({ t, latencyMs: t - intended, ...(written === undefined ? {} : { sentLatencyMs: t - written }), status, kind: 'valid', token: headers['authorization'] ?? '' });
      }
      return { status, t, text };
    } catch (err) {
      writtenAt.delete(id);
      if (measured) {
        errorCount++;
        const timeout = /TIMEOUT/.test((err as { code?: string }).code ?? '');
        if (timeout) timeouts++;
        if (data.keepEvents) errors.push({ t: now(), timeout });
      }
      throw err;
    }
  };
  /** Session i: login at its due time, then each request as soon as the previous one is answered. */
  const runSession = async (i: number, session: PacedSession): Promise<void> => {
    const measured = i >= 0;
    const login = logins[((i % logins.length) + logins.length) % logins.length] as { body: string; username: string };
    const due = (i * 1000) / paceRate;
    if (measured) {
      const late = now() - due;
      recordMs(lag, Math.max(late, 0));
      if (late > maxLagMs) maxLagMs = late;
    }
    const l = await sessionRequest(measured, due, 'POST', '/login', JSON_HEADERS, login.body, (status) => status === 200);
    let tokens = l.status === 200 && l.text !== undefined ? tokensOf(l.text) : undefined;
    if (tokens === undefined) return;
    if (measured) tally.started(tokens);
    let auth = { authorization: `Bearer ${tokens.token}` };
    let intended = l.t;
    for (let k = 0; k < session.mePerSession; k++) {
      // A client of a design with refresh tokens refreshes in place of this GET /me when its token nears expiry.
      if (session.refreshAheadMs !== undefined && tokens.refreshToken !== undefined && refreshDue(tokens.expMs, Date.now(), session.refreshAheadMs)) {
        const r = await sessionRequest(measured, intended, 'POST', '/refresh', JSON_HEADERS, JSON.stringify({ refreshToken: tokens.refreshToken }), (status) => status === 200);
        intended = r.t;
        tokens = r.status === 200 && r.text !== undefined ? tokensOf(r.text) : undefined;
        if (measured) {
          if (tokens === undefined) tally.refreshesFailed++;
          else tally.refreshes++;
        }
        if (tokens === undefined) return;
        auth = { authorization: `Bearer ${tokens.token}` };
        continue;
      }
      const me = await sessionRequest(measured, intended, 'GET', '/me', auth, undefined, (status) => measured && status === 200 && content !== undefined && content.wantsNext());
      if (me.text !== undefined) content?.checkNow(me.text, login.username);
      intended = me.t;
    }
    await sessionRequest(measured, intended, 'POST', '/logout', auth, undefined, () => false);
  };

  const send = (i: number): void => {
    if (data.session !== null) {
      const p = runSession(i, data.session)
        .catch(() => {}) // counted where it failed; the session ends there
        .finally(() => pending.delete(p));
      pending.add(p);
      return;
    }
    const due = (i * 1000) / data.rate;
    if (i < 0) {
      void pool.request({ path: data.path, method: 'GET', headers: { authorization: `Bearer ${data.validTokens[(i + warmup) % data.validTokens.length] ?? ''}` } }).then((res) => res.body.dump(), () => {});
      return;
    }
    const late = now() - due;
    recordMs(lag, Math.max(late, 0));
    if (late > maxLagMs) maxLagMs = late;
    const revoked = data.revokedTokens.length > 0 && i % every === every - 1;
    const kind: RequestKind = revoked ? 'revoked' : 'valid';
    const vIndex = vi % data.validTokens.length;
    const token = revoked ? (data.revokedTokens[ri++ % data.revokedTokens.length] as string) : (data.validTokens[vi++ % data.validTokens.length] as string);
    const expectedUser = revoked ? undefined : data.validUsers[vIndex];
    sent++;
    const p = pool
      .request({ path: data.path, method: 'GET', headers: { authorization: `Bearer ${token}`, 'x-authbench-id': String(i) } })
      .then(async (res) => {
        // Only a body in the sample is read as text; the others are drained.
        if (content !== undefined && !revoked && res.statusCode === 200 && content.wantsNext()) content.checkNow(await res.body.text(), expectedUser);
        else await res.body.dump();
        const t = now();
        const written = writtenAt.get(i);
        writtenAt.delete(i);
        recordMs(corrected, t - due);
        if (written !== undefined) recordMs(uncorrected, t - written);
        const key = String(res.statusCode);
        statusCounts[key] = (statusCounts[key] ?? 0) + 1;
        if (data.keepEvents) responses.push({ t, latencyMs: t - due, ...(written === undefined ? {} : { sentLatencyMs: t - written }), status: res.statusCode, kind, token });
      })
      .catch((err: unknown) => {
        writtenAt.delete(i);
        const timeout = /TIMEOUT/.test((err as { code?: string }).code ?? '');
        errorCount++;
        if (timeout) timeouts++;
        if (data.keepEvents) errors.push({ t: now(), timeout });
      })
      .finally(() => pending.delete(p));
    pending.add(p);
  };

  await pacerReady;
  // Warm the HTTP side before the clock starts: open the pool's connections and run undici's first-request paths
  // (its HTTP parser is compiled on the first connection), as wrk opens its connections before it measures.
  const warmToken = data.validTokens[0] ?? '';
  for (let round = 0; round < 3; round++) {
    await Promise.allSettled(
      Array.from({ length: data.connections }, () =>
        pool.request({ path: data.path, method: 'GET', headers: { authorization: `Bearer ${warmToken}` } }).then((res) => res.body.dump()),
      ),
    );
  }
  // Wait for the go: the runner starts its own clock (fault timers, health sampling) from the same start.
  await new Promise<void>((resolve) => {
    port.on('message', (m: unknown) => {
      if (m === 'go') resolve();
      if (m === 'stop') {
        // Wakes the pacer if it is asleep until a far due time.
        Atomics.store(stopFlag, 0, 1);
        Atomics.notify(stopFlag, 0);
      }
    });
    port.postMessage({ type: 'ready' });
  });
  startNs = process.hrtime.bigint() + BigInt(START_DELAY_MS * 1e6) + BigInt(Math.round((warmup * 1e9) / paceRate));
  port.postMessage({ type: 'started', startNs: startNs.toString() });
  const elu = performance.eventLoopUtilization();
  let next = 0;
  await new Promise<void>((resolve, reject) => {
    pacer.on('message', (due: number) => {
      if (Atomics.load(stopFlag, 0) === 1) return;
      while (next < due) send(next++ - warmup);
    });
    pacer.on('error', reject);
    pacer.on('exit', () => resolve());
    // The pacer counts from the first warm-up request.
    new BigInt64Array(shared, 8, 1)[0] = startNs - BigInt(Math.round((warmup * 1e9) / paceRate));
    Atomics.store(stopFlag, 1, 1);
    Atomics.notify(stopFlag, 1);
  });
  const sendingMs = now();
  await Promise.allSettled([...pending]);
  const busy = performance.eventLoopUtilization(elu);
  sendHeaders.unsubscribe(onSend);
  await pool.destroy();
  const result: PacedWorkerResult = {
    sent,
    sendingMs,
    endedMs: now(),
    statusCounts,
    errors: errorCount,
    timeouts,
    correctedHistogram: encodeHistogram(corrected),
    uncorrectedHistogram: encodeHistogram(uncorrected),
    pacerLagHistogram: encodeHistogram(lag),
    maxPacerLagMs: maxLagMs,
    contentChecked: content?.checked ?? 0,
    sessions: data.session === null ? null : tallyOf(tally),
    contentMismatches: content?.mismatches ?? 0,
    eventLoopUtilization: busy.utilization,
    responseEvents: responses,
    errorEvents: errors,
  };
  port.postMessage({ type: 'done', result });
}

await main(workerData as PacedWorkerData);
