import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { LatenessTracker, ReleaseClock } from './release-clock.js';

describe('LatenessTracker: the running median the proxy aims its releases by', () => {
  it('settles on the median of what it observes, not the mean, and never goes below 0', () => {
    const t = new LatenessTracker();
    // Lateness 0.3 ms most of the time, 5 ms one time in five (a wake-up that waited for a core): median 0.3, mean 1.24.
    for (let i = 0; i < 5000; i++) t.observe(i % 5 === 4 ? 5 : 0.3);
    assert.ok(Math.abs(t.medianMs - 0.3) <= 2 * LatenessTracker.STEP_MS, `median ${t.medianMs}`);
    for (let i = 0; i < 5000; i++) t.observe(0);
    assert.equal(t.medianMs, 0);
  });

  it('follows a median that moves, and gives a hold no more lead than the hold itself', () => {
    const t = new LatenessTracker();
    for (let i = 0; i < 1000; i++) t.observe(0.8);
    assert.ok(Math.abs(t.medianMs - 0.8) <= 2 * LatenessTracker.STEP_MS, `median ${t.medianMs}`);
    assert.equal(t.leadFor(0.25), 0.25, 'a 0.25 ms hold is never led by more than 0.25 ms');
    assert.ok(Math.abs(t.leadFor(10) - 0.8) <= 2 * LatenessTracker.STEP_MS);
    for (let i = 0; i < 1000; i++) t.observe(0.1);
    assert.ok(Math.abs(t.medianMs - 0.1) <= 2 * LatenessTracker.STEP_MS, `median ${t.medianMs}`);
    assert.ok(t.largestMs >= 0.79, 'the largest lead given is remembered');
  });
});

describe('ReleaseClock', () => {
  it('wakes for an item due in 20 ms, not before, and again for the next one', async () => {
    const item = { queue: [] as { due: number }[] };
    const releasedAt: number[] = [];
    const clock = new ReleaseClock<typeof item>((it, now) => {
      while ((it.queue[0]?.due ?? Infinity) <= now) {
        it.queue.shift();
        releasedAt.push(now);
      }
      return it.queue.length === 0;
    }, () => true);
    const t0 = performance.now();
    item.queue.push({ due: t0 + 20 }, { due: t0 + 40 });
    clock.add(item);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await clock.close();
    assert.equal(releasedAt.length, 2);
    assert.ok((releasedAt[0] ?? 0) >= t0 + 20 && (releasedAt[1] ?? 0) >= t0 + 40, `released at +${releasedAt.map((t) => (t - t0).toFixed(2)).join(', +')} ms`);
  });

  it('holds everything while not running, and releases once armed again', async () => {
    const item = { queue: [{ due: performance.now() + 1 }] };
    let running = false;
    let released = 0;
    const clock = new ReleaseClock<typeof item>((it) => {
      released += it.queue.length;
      it.queue.length = 0;
      return true;
    }, () => running);
    clock.add(item);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(released, 0);
    running = true;
    clock.arm();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(released, 1);
    await clock.close();
  });

  it('releases each item once due, and learns its own lateness when its loop is held up', async () => {
    const items = Array.from({ length: 300 }, () => ({ queue: [] as { due: number }[] }));
    let released = 0;
    let early = 0;
    const clock = new ReleaseClock<(typeof items)[number]>(
      (item, now) => {
        for (const x of item.queue) if (x.due > now) early++;
        released += item.queue.length;
        item.queue.length = 0;
        return true;
      },
      () => true,
    );
    // Each item is due 0.1 ms after it is queued, and the loop is then kept busy 2 ms: every one is released ≥ 1.9 ms late.
    for (const item of items) {
      item.queue.push({ due: performance.now() + 0.1 });
      clock.add(item);
      const until = performance.now() + 2;
      while (performance.now() < until);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(released, items.length);
    assert.equal(early, 0, 'nothing before its due time');
    // 300 observations of ≥ 1.9 ms move the estimate up by 0.002 ms each.
    assert.ok(clock.lateness.medianMs >= 0.5, `learned lateness ${clock.lateness.medianMs} ms`);
    await clock.close();
  });
});
