import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeRun, noise } from '../../test-support/compare-fixtures.js';
import { renderComparisonMarkdown } from './render-markdown.js';
import { renderComparisonTable } from './render-table.js';
import { compareRelative, mergeRounds, SCREEN_CONFIDENCE, screenedRows, type GatePair } from './relative.js';
import { exitCodeOf, type Comparison, type MetricComparison } from './verdict.js';

const T = { threshold: 0.1, latencyThreshold: 0.25 };
const BASE_RPS: Record<string, number> = { ceiling: 20000, validate: 12000, login: 9000 };

/**
 * `n` pairs. Pair i's machine runs at `drift(i)` of its speed (both members alike, as two runs back to back do),
 * each run adds its own ±3% noise, and `head` scales the head's req/s (and divides its p99) per cell.
 */
function pairs(n: number, head: (scenario: string, strategy: string) => number = () => 1, drift: (i: number) => number = () => 1, errored: (i: number) => readonly string[] = () => []): GatePair[] {
  return Array.from({ length: n }, (_, i): GatePair => {
    const run = (side: 'base' | 'head') =>
      fakeRun({
        repeat: 1,
        errored: side === 'head' ? errored(i) : [],
        rps: (s, t) => (BASE_RPS[s] ?? 1000) * drift(i) * (1 + noise(0.03, side, s, t, i)) * (side === 'head' ? head(s, t) : 1),
        p99: (s, t) => (4 / drift(i)) * (1 + noise(0.03, `${side}p`, s, t, i)) / (side === 'head' ? head(s, t) : 1),
      });
    return { index: i, first: i % 2 === 0 ? 'base' : 'head', base: run('base'), head: run('head'), problems: [] };
  });
}

const row = (c: Comparison, scenario: string, strategy: string, metric: 'throughput' | 'p99'): MetricComparison => {
  const r = c.rows.find((x) => x.scenario === scenario && x.strategy === strategy && x.metric === metric);
  assert.ok(r, `${scenario} × ${strategy} ${metric}`);
  return r;
};

describe('the relative gate judges base and head on their pairs', () => {
  it('finds nothing between identical builds, even when the machine halves its speed half-way through the pairs', () => {
    const c = compareRelative(pairs(6, undefined, (i) => (i < 3 ? 1 : 0.5)), T);
    assert.equal(c.mode, 'relative');
    assert.equal(c.order, 'AB BA AB BA AB BA');
    assert.equal(c.rows.length, 2 * 3 * 2, 'throughput and p99 of validate and login × three designs; the ceiling is not judged');
    for (const r of c.rows) assert.equal(r.verdict, 'ok', `${r.scenario} × ${r.strategy} ${r.metric}: ${r.change} (${r.low} … ${r.high})`);
    assert.equal(exitCodeOf(c), 0);
  });

  it('flags a 30% slower cell and only that one, p99 and throughput alike, with the change near −30%', () => {
    const c = compareRelative(pairs(6, (s, t) => (s === 'validate' && t === 'redis-token' ? 0.7 : 1)), T);
    const hit = row(c, 'validate', 'redis-token', 'throughput');
    assert.equal(hit.verdict, 'regressed');
    assert.ok(Math.abs((hit.change ?? 0) + 0.3) < 0.05, `change ${hit.change}`);
    assert.equal(row(c, 'validate', 'redis-token', 'p99').verdict, 'regressed');
    assert.deepEqual(c.rows.filter((r) => r.verdict !== 'ok').map((r) => `${r.scenario}|${r.strategy}|${r.metric}`), ['validate|redis-token|throughput', 'validate|redis-token|p99']);
    assert.equal(exitCodeOf(c), 1);
    // The table names the sides base and head, in raw units.
    const table = renderComparisonTable(c);
    assert.match(table, /base\s+│\s+head/);
    assert.match(table, /8,\d{3} req\/s/);
    assert.match(renderComparisonMarkdown(c), /Hodges–Lehmann/);
  });

  it('says a 5% change is inside a 10% threshold, and a faster head is improved', () => {
    const c = compareRelative(pairs(8, (s) => (s === 'login' ? 0.95 : s === 'validate' ? 1.4 : 1)), T);
    assert.equal(row(c, 'login', 'jwt', 'throughput').verdict, 'ok');
    assert.equal(row(c, 'validate', 'jwt', 'throughput').verdict, 'improved');
  });

  it('leaves out a pair whose head run errored, and with fewer than 6 complete pairs gives no verdict (exit 2)', () => {
    const c = compareRelative(pairs(6, undefined, undefined, (i) => (i === 2 ? ['validate|jwt|0'] : [])), T);
    const r = row(c, 'validate', 'jwt', 'throughput');
    assert.equal(r.verdict, 'not comparable');
    assert.match(r.note ?? '', /needs 6 complete pairs for a 95% interval, has 5; left out: pair 3: head/);
    assert.equal(row(c, 'login', 'jwt', 'throughput').verdict, 'ok', 'the other cells keep all six pairs');
    assert.equal(exitCodeOf(c), 2);
  });

  it('cannot compare anything when no base run finished, and lists cells only the head measured without judging them', () => {
    const none = compareRelative([{ index: 0, first: 'base', base: undefined, head: pairs(1)[0]?.head, problems: ['base: its run exited with 1 and wrote no result: error: unknown option'] }], T);
    assert.equal(none.comparable, false);
    assert.match(none.problems.join('\n'), /pair 1: base: its run exited with 1.*\n.*no base run finished/);
    const withNew = pairs(6).map((p) => ({ ...p, base: fakeRun({ repeat: 1, rps: () => 1000, flags: { strategies: 'jwt,redis-token' } }) }));
    const c = compareRelative(withNew, T);
    assert.deepEqual(c.onlyInHead, ['validate × jwt-blacklist', 'login × jwt-blacklist']);
    assert.ok(c.rows.every((r) => r.strategy !== 'jwt-blacklist'));
  });

  describe('two rounds: a 90% screen on the first, the verdict on both pooled', () => {
    const slow = (s: string, t: string): number => (s === 'validate' && t === 'redis-token' ? 0.7 : 1);
    // Round 1: five pairs 30% slower, one stray pair where the head matched the base.
    const round1 = [pairs(1)[0] as GatePair, ...pairs(6, slow).slice(1)];
    const shifted = (ps: GatePair[]): GatePair[] => ps.map((p) => ({ ...p, index: p.index + 6 }));
    const first = compareRelative(round1, T);
    const screen = compareRelative(round1, { ...T, confidence: SCREEN_CONFIDENCE });

    it('a stray pair hides the shift from the 95% interval of 6 pairs, not from the 90% screen', () => {
      assert.notEqual(row(first, 'validate', 'redis-token', 'throughput').verdict, 'regressed');
      // p99 (+43% in five pairs, 0 in one) stays inside the 25% latency threshold at 90%: only throughput is flagged.
      assert.deepEqual(screenedRows(screen).map((r) => `${r.scenario}|${r.strategy}|${r.metric}`), ['validate|redis-token|throughput']);
    });

    it('a flagged row takes the verdict of both rounds pooled, with both in its note; the others keep round 1', () => {
      const pooled = compareRelative([...round1, ...shifted(pairs(6, slow))], T);
      const final = mergeRounds(first, screen, pooled);
      const hit = row(final, 'validate', 'redis-token', 'throughput');
      assert.equal(hit.verdict, 'regressed');
      assert.match(hit.note ?? '', /^round 1 \(6 pairs\) −?-?\d+\.\d%, 90% interval .*: measured again; both rounds \(12 pairs\) .* regressed$/);
      assert.deepEqual(row(final, 'login', 'jwt', 'throughput'), row(first, 'login', 'jwt', 'throughput'));
      assert.equal(exitCodeOf(final), 1);
    });

    it('an improvement is screened too: it needs both rounds before it is claimed', () => {
      const fast = compareRelative(pairs(6, (s, t) => (s === 'login' && t === 'jwt' ? 1.4 : 1)), { ...T, confidence: SCREEN_CONFIDENCE });
      assert.deepEqual(screenedRows(fast).map((r) => `${r.scenario}|${r.strategy}|${r.metric}|${r.verdict}`), ['login|jwt|throughput|improved', 'login|jwt|p99|improved']);
    });

    it('a flagged row that the second round does not bear out is not a regression', () => {
      const pooled = compareRelative([...round1, ...shifted(pairs(6))], T);
      const final = mergeRounds(first, screen, pooled);
      assert.notEqual(row(final, 'validate', 'redis-token', 'throughput').verdict, 'regressed');
      assert.equal(exitCodeOf(final), 0);
    });

    it('keeps the first verdict, noted, when the pooled comparison cannot be made', () => {
      const pooled: Comparison = { ...first, comparable: false, problems: ['no base run finished'], rows: [] };
      const r = row(mergeRounds(first, screen, pooled), 'validate', 'redis-token', 'throughput');
      assert.equal(r.verdict, row(first, 'validate', 'redis-token', 'throughput').verdict);
      assert.match(r.note ?? '', /both rounds could not be compared \(no base run finished\), the first round's verdict stands/);
    });
  });
});
