/**
 * The pacer of the open-loop generator, alone on its thread: it sleeps until the next request is due (Atomics.wait,
 * which has sub-millisecond resolution and costs no CPU while waiting, unlike a timer, which rounds to whole
 * milliseconds, or a busy loop, which would take a core from the servers on a 2-core machine) and then tells the
 * HTTP thread how many requests are due. The HTTP thread's event loop is woken by that message as by any I/O, so it
 * neither polls nor sleeps through responses.
 *
 * workerData: { rate, total, shared: SharedArrayBuffer } where shared is Int32 [stop, go] then BigInt64 [startNs]:
 * the thread starts early, posts 'ready', sleeps until `go` is set, then reads request 0's due time (a
 * process.hrtime.bigint(), process-wide) so that its own start-up is not counted as lag.
 * Messages out: 'ready', then the count of requests due so far (a number), increasing; the last one is `total`.
 */
import { parentPort, workerData } from 'node:worker_threads';

interface PacerData {
  readonly rate: number;
  readonly total: number;
  /** 16 bytes: Int32 [0] stop (1 = stop early), [1] go (1 = started); BigInt64 [1] request 0's due time. */
  readonly shared: SharedArrayBuffer;
}

/** Requests due at least this close together are announced together: one wake-up per 50 µs at most. */
const MIN_SLEEP_MS = 0.05;

function pace(data: PacerData): void {
  const port = parentPort;
  if (port === null) throw new Error('pacer-thread runs as a worker thread');
  const flag = new Int32Array(data.shared, 0, 2);
  port.postMessage('ready');
  while (Atomics.load(flag, 1) === 0) Atomics.wait(flag, 1, 0);
  const start = new BigInt64Array(data.shared, 8, 1)[0] as bigint;
  const elapsedMs = (): number => Number(process.hrtime.bigint() - start) / 1e6;
  let announced = 0;
  while (announced < data.total && Atomics.load(flag, 0) === 0) {
    const due = Math.min(data.total, Math.floor((elapsedMs() * data.rate) / 1000) + 1);
    if (due > announced) {
      announced = due;
      port.postMessage(announced);
      continue;
    }
    // Sleep until request `announced` is due (its due time is announced / rate s after the start).
    const wait = (announced * 1000) / data.rate - elapsedMs();
    if (wait > 0) Atomics.wait(flag, 0, 0, Math.max(wait, MIN_SLEEP_MS));
  }
}

pace(workerData as PacerData);
