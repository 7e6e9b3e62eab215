/**
 * The release clock's waker (release-clock.ts), a worker thread: it sleeps on a futex until the time the clock asked
 * for, spins the last TAIL_MS, and posts one message, which wakes the proxy's event loop. So that loop never sleeps
 * outside epoll: it reads every socket as soon as data arrives, and a reply's arrival stamp is when it came.
 *
 * Shared with the clock: state[0] is a generation, bumped (and notified) whenever the target changes, and -1 once the
 * clock is closed; target[0] is the time to wake at, performance.timeOrigin + performance.now() in ms (the same clock
 * in every thread), Infinity when nothing waits.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

const TAIL_MS = 0.05;
const { state, target } = workerData as { state: SharedArrayBuffer; target: SharedArrayBuffer };
const generation = new Int32Array(state);
const wakeAt = new Float64Array(target);
const now = (): number => performance.timeOrigin + performance.now();

for (;;) {
  const g = Atomics.load(generation, 0);
  if (g < 0) break;
  const at = wakeAt[0] ?? Infinity;
  if (at === Infinity) {
    Atomics.wait(generation, 0, g);
    continue;
  }
  const wait = at - now();
  if (wait > TAIL_MS) {
    // Woken early by a new target, or at the end of the wait: look again either way.
    Atomics.wait(generation, 0, g, wait - TAIL_MS);
    continue;
  }
  while (now() < at && Atomics.load(generation, 0) === g);
  if (Atomics.load(generation, 0) !== g) continue;
  parentPort?.postMessage(g);
  // Until the clock sets its next target.
  Atomics.wait(generation, 0, g);
}
