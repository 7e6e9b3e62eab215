/**
 * The proxy's release clock: it wakes when the earliest of many queued items is due, finer than a millisecond.
 * A Node timer alone cannot: its clock is in whole ms, so a timer fires up to ~1.5 ms early or, at p90, ~0.5 ms
 * late (measured with fractional setTimeout here), and asking the proxy for 0.25 ms added ~1.2 ms. So a worker
 * thread (release-waker.ts) sleeps on a futex until the earliest due time, spins its last 0.05 ms and posts a
 * message that wakes the event loop, which releases what is due.
 *
 * An earlier clock slept on the proxy's own thread (Atomics.wait in slices of 0.25 ms between turns of the loop).
 * Idle that was fine (asked 0.25 ms, added p50 0.36-0.41 ms; asked 1, 1.16-1.21 ms; PINGs one at a time), but under
 * load it was not: while the thread slept no socket was read, so a reply that arrived meanwhile was stamped when it was
 * read, late, and held its whole delay from then. In a sweep's cells (the probe's PINGs through the proxy every 5 ms
 * while a design's servers drove Redis) asked 0.25 ms measured +0.49 ms over asked 0, asked 1 +1.62 ms. With the waker
 * on its own thread the proxy's loop waits in epoll, reading as soon as data arrives.
 *
 * Waking still takes time on a busy machine (the waker, then the loop, wait for a core), so the clock also tracks the
 * median of its own lateness (how long after its due time an item was released; LatenessTracker below) and the proxy
 * aims each release that much early: the median added delay is then the asked one, not asked + lateness. Any one
 * reply may be released up to that lead early; the proxy's stats() report the largest lead it gave.
 *
 * Idle, it costs nothing: the waker sleeps until a target is set, and it is started with the first delayed reply.
 */
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

/**
 * The running median of the clock's lateness, by stochastic approximation: each observation moves the estimate
 * STEP_MS towards it. It follows a median that drifts with the machine's load within a few hundred releases, needs no
 * memory, and is 0 until items are released late.
 */
export class LatenessTracker {
  static readonly STEP_MS = 0.002;
  private estimate = 0;
  private largest = 0;

  observe(lateMs: number): void {
    if (lateMs > this.estimate) this.estimate += LatenessTracker.STEP_MS;
    else if (lateMs < this.estimate) this.estimate = Math.max(0, this.estimate - LatenessTracker.STEP_MS);
  }

  /** The lead to give a hold of `delayMs` (never more than the hold itself), remembered for largestMs. */
  leadFor(delayMs: number): number {
    const lead = Math.min(this.estimate, delayMs);
    if (lead > this.largest) this.largest = lead;
    return lead;
  }

  /** The current median lateness estimate, ms. */
  get medianMs(): number {
    return this.estimate;
  }

  /** The largest lead given so far, ms: no reply was held less than its delay minus this. */
  get largestMs(): number {
    return this.largest;
  }
}

/** Something with items queued in due order (oldest first); `due` is a performance.now() time. */
export interface Waiting {
  readonly queue: readonly { readonly due: number }[];
}

export class ReleaseClock<T extends Waiting> {
  private readonly waiting = new Set<T>();
  /** The waker's generation (bumped on every new target; -1 once closed) and target (performance.timeOrigin-based ms). */
  private readonly generation = new Int32Array(new SharedArrayBuffer(4));
  private readonly wakeAt = new Float64Array(new SharedArrayBuffer(8)).fill(Infinity);
  private waker: Worker | undefined;
  /** The performance.now() time the waker aims at (Infinity: none). */
  private targetAt = Infinity;
  /** A release already due, run on the next turn of the loop. */
  private turn: NodeJS.Immediate | undefined;
  private closed = false;
  /** How late this clock releases; the proxy aims by it (see the header). */
  readonly lateness = new LatenessTracker();

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

  /** Aims the waker at the earliest due item (or releases it on the next turn if it is due). Call it whenever `running` may have become true. */
  arm(): void {
    if (this.closed || this.turn !== undefined) return;
    if (!this.running()) return this.stop();
    let earliest = Infinity;
    for (const item of this.waiting) earliest = Math.min(earliest, item.queue[0]?.due ?? Infinity);
    if (earliest === Infinity) return this.stop();
    if (earliest <= performance.now()) {
      this.aim(Infinity);
      this.turn = setImmediate(() => {
        this.turn = undefined;
        this.tick();
      });
      return;
    }
    this.aim(earliest);
  }

  /** Disarms (until the next add() or arm()). */
  stop(): void {
    clearImmediate(this.turn);
    this.turn = undefined;
    this.aim(Infinity);
  }

  /** Stops the waker thread for good. */
  async close(): Promise<void> {
    this.stop();
    this.closed = true;
    Atomics.store(this.generation, 0, -1);
    Atomics.notify(this.generation, 0);
    await this.waker?.terminate();
  }

  private aim(at: number): void {
    if (at === this.targetAt) return;
    this.targetAt = at;
    this.wakeAt[0] = at === Infinity ? Infinity : performance.timeOrigin + at;
    if (at !== Infinity && this.waker === undefined) this.startWaker();
    // Wraps within the positive int32s: -1 means closed to the waker, and a plain increment would get there after
    // 2^31 targets (a couple of days of a busy proxy).
    Atomics.store(this.generation, 0, (Atomics.load(this.generation, 0) + 1) & 0x3fffffff);
    Atomics.notify(this.generation, 0);
  }

  private startWaker(): void {
    const waker = new Worker(new URL('./release-waker.js', import.meta.url), { workerData: { state: this.generation.buffer, target: this.wakeAt.buffer } });
    waker.unref();
    waker.on('message', () => {
      this.targetAt = Infinity;
      this.tick();
    });
    // A waker that died (it should not) would leave replies queued for ever: say so where the proxy logs.
    waker.on('error', (err) => {
      process.emitWarning(`the proxy's release clock stopped: ${err.message}`);
    });
    this.waker = waker;
  }

  private tick(): void {
    if (this.closed || !this.running()) return;
    const now = performance.now();
    for (const item of this.waiting) {
      const due = item.queue[0]?.due;
      if (due !== undefined && due <= now) this.lateness.observe(now - due);
      if (this.releaseDue(item, now)) this.waiting.delete(item);
    }
    this.arm();
  }
}
