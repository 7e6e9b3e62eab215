import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCellOf, type EqualLoadCell, type LoadCell, type RunResult } from '../result/schema.js';
import { loadFixture } from '../../test-support/report-fixtures.js';
import { NOT_MEASURED, best, computeVerdict, type VerdictRow, type VerdictRowId } from './findings.js';

const row = (result: RunResult, id: VerdictRowId): VerdictRow => {
  const r = computeVerdict(result).rows.find((x) => x.id === id);
  assert.ok(r, `no ${id} row`);
  return r;
};

const validate = (result: RunResult, strategy: string): LoadCell => {
  const c = loadCellOf(result, 'validate', strategy);
  assert.ok(c);
  return c;
};

describe('verdict table', () => {
  it('has the seven trade-offs in order, with a cell per design', () => {
    const v = computeVerdict(loadFixture('sample-run'));
    assert.deepEqual(v.rows.map((r) => r.id), ['statelessness', 'performance', 'latency', 'reliability', 'scalability', 'logout', 'propagation']);
    assert.deepEqual(v.designs, ['jwt', 'jwt-blacklist', 'redis-token']);
    for (const r of v.rows) assert.deepEqual(Object.keys(r.evidence), v.designs, r.id);
  });

  it('gives performance to the design with the highest validate median whose range stands clear', () => {
    const r = row(loadFixture('sample-run'), 'performance');
    assert.deepEqual(r.winners, ['redis-token']);
    assert.equal(r.evidence['redis-token'], 'validate: 23,473 req/s (19,107–24,422), p99 5.00 ms, 45% of ceiling');
    assert.equal(r.evidence['jwt'], 'validate: 11,238 req/s (9,446–12,817), p99 9.00 ms, 21% of ceiling');
  });

  it('calls performance a tie when the runner-up range reaches the fastest one', () => {
    const result = loadFixture('sample-run');
    const jwt = validate(result, 'jwt');
    jwt.summary = { ...jwt.summary!, requestsPerSec: { median: 18000, min: 15000, max: 19500 } };
    assert.deepEqual(row(result, 'performance').winners, ['jwt', 'redis-token']);
    assert.equal(row(result, 'performance').winner, 'tie: jwt, redis-token');
  });

  it('gives revocation across servers to the shortest p99 delay among designs refused everywhere, and none without the scenario', () => {
    const result = loadFixture('sample-run');
    assert.deepEqual(row(result, 'propagation').winners, []);
    assert.equal(row(result, 'propagation').evidence['jwt'], NOT_MEASURED);
    const summary = (p99: number, late: number, accepted: number) => ({
      logouts: 5, refusedEverywhere: 5 - late, delayMs: { p50: p99 / 2, p99, max: p99 }, notRefusedInWindow: late, acceptedAfterAck: accepted,
      maxAcceptedAfterOneLogout: accepted, acceptedAfterRefusal: 0, otherAnswers: 0, failed: 0, pollRoundTripMs: 0.3, window: { ms: 4500 },
    });
    result.propagation = [
      { scenario: 'propagation', strategy: 'jwt', instances: 2, loadRps: 0, status: 'ok', errors: [], summary: summary(0, 5, 900) },
      { scenario: 'propagation', strategy: 'jwt-blacklist', instances: 2, loadRps: 0, status: 'ok', errors: [], summary: summary(0.4, 0, 0) },
      { scenario: 'propagation', strategy: 'redis-token', instances: 2, loadRps: 0, status: 'ok', errors: [], summary: summary(0.3, 0, 0) },
    ];
    const r = row(result, 'propagation');
    assert.deepEqual(r.winners, ['redis-token']);
    assert.match(r.evidence['jwt'] ?? '', /still accepted 4\.5 s after 5 of 5 logouts/);
  });

  it('gives logout semantics to the designs that accepted no logged-out token', () => {
    const r = row(loadFixture('sample-run'), 'logout');
    assert.deepEqual(r.winners, ['jwt-blacklist', 'redis-token']);
    assert.equal(r.evidence['jwt'], '96,051 of 96,051 requests with a logged-out token accepted (100.0%)');
    assert.equal(r.evidence['redis-token'], '0 of 183,465 requests with a logged-out token accepted (0.0%)');
  });

  it('breaks the logout tie with revoked tokens accepted around the faults, fail-open left out', () => {
    const r = row(loadFixture('outage-run'), 'logout');
    assert.deepEqual(r.winners, ['redis-token']);
    assert.equal(r.evidence['jwt-blacklist'], 'revoked tokens accepted before/during/after a fault: kill 0/0/35, stop 0/0/0, flush 0/41/41');
  });

  it('says reliability was not measured when the run has no outage cells, and shows the errors under load', () => {
    const r = row(loadFixture('sample-run'), 'reliability');
    assert.deepEqual(r.winners, []);
    assert.equal(r.winner, `${NOT_MEASURED} (no outage scenario)`);
    assert.equal(r.evidence['jwt'], 'no outage cells; under load: 0 errors, 0 timeouts, 0 5xx');
  });

  it('gives reliability to the highest worst-case availability, each failure policy on its own', () => {
    const r = row(loadFixture('outage-run'), 'reliability');
    assert.deepEqual(r.winners, ['jwt', 'jwt-blacklist (open)']);
    assert.equal(r.evidence['jwt'], 'available during kill 100.0%, stop 100.0%, flush 100.0%');
    assert.match(r.evidence['jwt-blacklist'] ?? '', /^closed: available during kill 0\.0%, stop 0\.0%, flush 100\.0%; open: available during kill 100\.0%.*served unchecked\)$/);
    assert.match(r.evidence['redis-token'] ?? '', /sessions lost/);
  });

  it('says statelessness and scalability were not measured when the result has no cost figures', () => {
    const result = loadFixture('sample-run');
    for (const id of ['statelessness', 'scalability'] as const) {
      assert.equal(row(result, id).winner, NOT_MEASURED, id);
      assert.deepEqual(row(result, id).winners, [], id);
    }
    assert.equal(row(result, 'statelessness').evidence['jwt'], NOT_MEASURED);
    assert.match(row(result, 'scalability').evidence['redis-token'] ?? '', /^validate at 45% of the server's ceiling; Redis and CPU cost not measured/);
  });

  it('gives statelessness to the design with no Redis command and no state, from summary.cost', () => {
    const r = row(loadFixture('alg-rs256'), 'statelessness');
    assert.deepEqual(r.winners, ['jwt']);
    assert.equal(r.evidence['jwt'], '0.00 Redis commands per validate; no server-side state; 622 B token on every request');
    assert.equal(r.evidence['redis-token'], '1.00 Redis commands per validate; 152 B in Redis per session; 36 B token on every request');
    // The validate cell has no revoked token to measure; the revocation cell of the same design has.
    assert.match(r.evidence['jwt-blacklist'] ?? '', /104 B in Redis per revoked token/);
  });

  it('gives scalability to the design the shared Redis does not cap, then to the least server CPU', () => {
    const result = loadFixture('alg-rs256');
    const r = row(result, 'scalability');
    assert.deepEqual(r.winners, ['jwt']);
    assert.match(r.evidence['jwt'] ?? '', /^no shared store: servers are added without touching Redis; 118 µs server CPU per validate/);
    assert.match(r.evidence['redis-token'] ?? '', /^one Redis core caps all servers together at ≈ 88,\d{3} validate\/s \(11\.3 µs Redis CPU each\)/);
    // Without the stateless design, the two Redis designs compete on the fleet cap.
    result.cells = result.cells.filter((c) => c.strategy !== 'jwt');
    assert.deepEqual(row(result, 'scalability').winners, ['redis-token']);
  });

  it('names no winner from a single measured design', () => {
    assert.deepEqual(best([{ name: 'jwt', key: [0] }]), []);
    assert.deepEqual(best([{ name: 'a', key: [1, 2] }, { name: 'b', key: [1, 1] }]), ['b']);
    assert.deepEqual(best([{ name: 'a', key: [1, Infinity] }, { name: 'b', key: [1, Infinity] }]), ['a', 'b']);
  });

  it('is a function of the result: the same input gives the same table', () => {
    assert.deepEqual(computeVerdict(loadFixture('outage-run')), computeVerdict(loadFixture('outage-run')));
  });

  describe('latency at equal load', () => {
    /** An equal-load cell: achieved req/s, merged p99 and the per-repetition p99 range (only what the row reads). */
    const cell = (strategy: string, offeredRps: number, achieved: number, p99: number, range: [number, number], valid = true): EqualLoadCell =>
      ({
        kind: 'equal-load',
        scenario: 'validate',
        strategy,
        rateLabel: `${offeredRps} req/s`,
        offeredRps,
        status: 'ok',
        errors: [],
        repetitions: [],
        summary: { achievedRps: { median: achieved, min: achieved, max: achieved }, latencyMs: { p50: p99 / 2, p99 }, latencySpread: { p50: { min: 0, max: 0 }, p99: { min: range[0], max: range[1] } }, valid },
      }) as unknown as EqualLoadCell;
    const withCells = (cells: EqualLoadCell[]): RunResult => ({ ...loadFixture('sample-run'), equalLoad: { scenario: 'validate', notes: [], cells } });

    it('compares p99 at the highest rate every design held, not at a rate one of them could not answer', () => {
      const r = row(
        withCells([
          cell('jwt', 1000, 1000, 2, [1.8, 2.2]),
          cell('jwt-blacklist', 1000, 1000, 3, [2.9, 3.1]),
          cell('redis-token', 1000, 999, 1.5, [1.4, 1.6]),
          // At 5000 req/s jwt-blacklist answered 60%: that rate is left out, though redis-token would lose there.
          cell('jwt', 5000, 5000, 4, [3.9, 4.1]),
          cell('jwt-blacklist', 5000, 3000, 900, [800, 950]),
          cell('redis-token', 5000, 5000, 9, [8, 10]),
        ]),
        'latency',
      );
      assert.deepEqual(r.winners, ['redis-token']);
      assert.equal(r.evidence['jwt'], 'validate at 1,000 req/s: p50 1.00 ms, p99 2.00 ms (1.80–2.20)');
    });

    it('ties designs whose p99 ranges overlap, and says when a cell was invalid', () => {
      const r = row(withCells([cell('jwt', 1000, 1000, 2, [1.8, 2.6]), cell('jwt-blacklist', 1000, 1000, 2.5, [2.4, 2.7], false), cell('redis-token', 1000, 1000, 3, [2.7, 3.2])]), 'latency');
      assert.deepEqual(r.winners, ['jwt', 'jwt-blacklist']);
      assert.match(r.evidence['jwt-blacklist'] ?? '', /INVALID: generator lag$/);
    });

    it('names no winner without equal-load cells', () => {
      const r = row(loadFixture('sample-run'), 'latency');
      assert.deepEqual(r.winners, []);
      assert.equal(r.evidence['jwt'], NOT_MEASURED);
    });
  });
});
