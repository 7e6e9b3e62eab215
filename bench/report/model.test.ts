import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCellOf, loadCellsOf, outageCellsOf, type LoadCell, type RunResult } from '../result/schema.js';
import { loadFixture } from '../../test-support/report-fixtures.js';
import { costOf, decompositionOf, designsOf, faultWindowOf, jwtAlgOf, loadScenariosOf, runLabels } from './model.js';

describe('report model', () => {
  it('lists designs in the order the run asked for them, and load scenarios in run order', () => {
    const r = loadFixture('sample-run');
    assert.deepEqual(designsOf(r), ['jwt', 'jwt-blacklist', 'redis-token']);
    assert.deepEqual(loadScenariosOf(r), ['ceiling', 'login', 'validate', 'logout', 'revocation', 'session']);
    assert.deepEqual(loadScenariosOf(loadFixture('outage-run')), ['ceiling']);
  });

  it('reads the JWT algorithm from the server arguments of the run', () => {
    assert.equal(jwtAlgOf(loadFixture('alg-es256')), 'ES256');
    const r = loadFixture('sample-run');
    (r.config as unknown as { serverArgs: string[] }).serverArgs = ['--users', '10'];
    assert.equal(jwtAlgOf(r), undefined);
  });

  it('labels runs by algorithm when each has its own, by number otherwise', () => {
    assert.deepEqual(runLabels([loadFixture('alg-rs256'), loadFixture('alg-es256')]), ['RS256', 'ES256']);
    assert.deepEqual(runLabels([loadFixture('sample-run'), loadFixture('outage-run')]), ['run 1 (HS256)', 'run 2 (HS256)']);
  });

  it('reads the cost figures that are numbers and ignores a missing or malformed cost', () => {
    const cell = loadCellOf(loadFixture('alg-rs256'), 'validate', 'redis-token');
    assert.equal(costOf(cell)?.redisCommandsPerRequest?.toFixed(2), '1.00');
    assert.equal(costOf(cell)?.stateBytes, 152);
    assert.equal(costOf(loadCellsOf(loadFixture('sample-run'))[0]), undefined);
    const odd = { summary: { cost: { stateBytes: null, tokenBytes: 'x', serverCpuUsPerRequest: 12 } } } as unknown as LoadCell;
    assert.deepEqual(costOf(odd), { serverCpuUsPerRequest: 12 });
  });

  it('finds a decomposition on the validate cell as well as on the result', () => {
    const r = loadFixture('alg-es256');
    const cell = loadCellOf(r, 'validate', 'jwt') as LoadCell & { decomposition?: unknown };
    cell.decomposition = { parts: { framework: 20, crypto: 100 } };
    assert.deepEqual(decompositionOf(r), [{ strategy: 'jwt', parts: [{ part: 'framework (GET /health)', us: 20 }, { part: 'JWT verify', us: 100 }] }]);
    assert.deepEqual(decompositionOf(loadFixture('sample-run') as RunResult), []);
  });

  it('takes the fault window from the first to the last timeline bucket that overlaps the fault', () => {
    const cell = outageCellsOf(loadFixture('outage-run')).find((c) => c.outage !== undefined);
    const timeline = cell?.outage?.timeline ?? [];
    const w = faultWindowOf(timeline);
    assert.ok(w);
    assert.equal(w.startMs, timeline.find((b) => b.phase === 'during')?.startMs);
    assert.equal(w.endMs, timeline.filter((b) => b.phase === 'during').at(-1)?.endMs);
    assert.equal(faultWindowOf(timeline.filter((b) => b.phase !== 'during')), undefined);
  });
});
