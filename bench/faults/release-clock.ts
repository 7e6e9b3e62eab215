/**
 * The proxy's release clock: it wakes when the earliest of many queued items is due, finer than a millisecond.
 * A Node timer alone cannot: its clock is in whole ms, so a timer fires up to ~1.5 ms early or, at p90, ~0.5 ms
 * late (measured with fractional setTimeout here), and asking the proxy for 0.25 ms added ~1.2 ms. So the clock
 * sleeps on a timer until TIMER_MARGIN_MS before the due time, then turns the event loop (setImmediate, which
 * reads sockets between turns), each turn sleeping a slice of at most SLICE_MS (Atomics.wait: no CPU, no socket
 * read meanwhile) and spinning the last TAIL_MS, since waking a sleeping thread can take longer than that on a
 * busy machine. A reply read late because of a slice is held longer, never less: the delay stays a lower bound.
 *
 * Measured (Node 20, Redis 7 on loopback, a 2-core machine kept busy by other runs, load average 5-7): ioredis PINGs
 * one at a time, 2000 per point, through the proxy in its own process vs to Redis directly; "added" is the
 * difference, which includes the proxy's own hop (~0.01-0.1 ms at p50). Two runs each:
 *   asked 0     added p50 0.01-0.09 ms   p99 0.5-0.6 ms
 *   asked 0.25  added p50 0.36-0.41 ms   p99 1.7-3.8 ms    (setTimeout in the runner's process: p50 ~1.3 ms)
 *   asked 0.5   added p50 0.62-0.65 ms   p99 2.9-3.0 ms    (~1.3 ms)
 *   asked 1     added p50 1.16-1.21 ms   p99 5.3-5.8 ms    (~1.25 ms)
 *   asked 2     added p50 2.30-2.33 ms   p99 6.4-7.8 ms    (~2.4 ms)
 * So the resolution is about 0.1-0.3 ms at p50. The p99 is the machine's: a process woken from a sleep waits for a
 * core (the direct p99 itself reached 2 ms in these runs); the old in-process timers' p99 was 4.6-8.1 ms alongside.
 * With 1 ms pauses between PINGs, as the runner measures (bench/measure/round-trip.ts), every process sleeps between
 * them and pays a wake-up: in one run, asked 0.5 ms gave p50 0.905 ms through the proxy and 0.148 ms direct.
 * CPU of the proxy process at ~3,000 PINGs/s over 4 connections: 0.12-0.14 s per second with no delay, 0.19-0.25 s
 * per second with 0.25, 0.5 or 2 ms (spinning with setImmediate through the whole last 1.5 ms instead cost 0.28-0.59
 * s per second at the same load). Idle, it costs nothing: no timer is armed while nothing waits.
 */
import { performance } from 'node:perf_hooks';

/** See the header: how far ahead the timer hands over to turns of the loop, how long each turn may sleep, how much of the end is spun. */
const TIMER_MARGIN_MS = 1.5;
const SLICE_MS = 0.25;
const TAIL_MS = 0.1;
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** Something with items queued in due order (oldest first); `due` is a performance.now() time. */
export interface Waiting {
  readonly queue: readonly { readonly due: number }[];
}

export class ReleaseClock<T extends Waiting> {
  private readonly waiting = new Set<T>();
  private timer: NodeJS.Timeout | undefined;
  /** The performance.now() time `timer` aims at. */
  private timerAt = Infinity;
  private turn: NodeJS.Immediate | undefined;

  /**
   * @param releaseDue writes what of `item` is due at `now`; returns true when nothing of it waits any more.
   * @param running whether anything may be released now (false while the proxy holds everything).
   */
  constructor(
    private readonly releaseDue: (item: T, now: number) => boolean,
    private readonly running: () => boolean,
  ) {}

  /** `item` has something queued: it is looked at until releaseDue says it is empty. */
  add(item: T): void {
    if (this.waiting.has(item)) return;
    this.waiting.add(item);
    this.arm();
  }

  /** Forgets `item` (its connection closed). */
  delete(item: T): void {
    this.waiting.delete(item);
  }

  /**
   * Arms the clock for the earliest due item: a timer when it is more than TIMER_MARGIN_MS away (kept if one already
   * aims no later), else one turn of the loop. Call it whenever `running` may have become true.
   */
  arm(): void {
    if (this.turn !== undefined) return;
    if (!this.running()) return this.stop();
    let earliest = Infinity;
    for (const item of this.waiting) earliest = Math.min(earliest, item.queue[0]?.due ?? Infinity);
    if (earliest === Infinity) return this.stop();
    const now = performance.now();
    if (earliest - now <= TIMER_MARGIN_MS) {
      this.stop();
      this.turn = setImmediate(() => {
        const wait = earliest - performance.now();
        if (wait > TAIL_MS) Atomics.wait(SLEEPER, 0, 0, Math.min(wait - TAIL_MS, SLICE_MS));
        this.tick();
      });
      return;
    }
    const at = earliest - TIMER_MARGIN_MS;
    if (this.timer !== undefined && this.timerAt <= at) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.tick(), at - now);
  }

  /** Disarms (until the next add() or arm()). */
  stop(): void {
    clearTimeout(this.timer);
    clearImmediate(this.turn);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.turn = undefined;
  }

  private tick(): void {
    this.stop();
    if (!this.running()) return;
    const now = performance.now();
    for (const item of this.waiting) if (this.releaseDue(item, now)) this.waiting.delete(item);
    this.arm();
  }
}
