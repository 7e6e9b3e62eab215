/**
 * The proxy's release clock: it wakes when the earliest of many queued items is due, finer than a millisecond.
 * A Node timer alone cannot: its clock is in whole ms, so a timer fires up to ~1.5 ms early or, at p90, ~0.5 ms
 * late (measured with fractional setTimeout here), and asking the proxy for 0.25 ms added ~1.2 ms. So the clock
 * sleeps on a timer until TIMER_MARGIN_MS before the due time, then turns the event loop (setImmediate, which
 * reads sockets between turns), each turn sleeping a slice of at most SLICE_MS (Atomics.wait: no CPU, no socket
 * read meanwhile) and spinning the last TAIL_MS, since waking a sleeping thread can take longer than that on a
 * busy machine. A reply read late because of a slice is held longer, never less: the delay stays a lower bound.
 *
 * MEASURED_FIGURES
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
