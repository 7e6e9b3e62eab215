import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { FIXTURES_DIR } from '../../test-support/report-fixtures.js';
import type { Environment } from '../run/environment.js';
import { measuredCellsOf, loadCellOf } from '../result/schema.js';
import { checkResult } from '../result/read.js';
import { renderTables } from '../render/tables.js';
import { importArtilleryReports } from './import.js';
import { readReport, type ReportFacts } from './report.js';

const environment = { date: '2026-12-03T00:00:00.000Z', node: 'v20.20.2', platform: 'Linux 6', arch: 'x64', cpuModel: 'AMD EPYC', cpuCount: 2, totalMemoryMiB: 1, loadAverage: [0, 0, 0], redisVersion: 'none', redisSource: 'none', packages: {}, authbenchVersion: '0.1.0', gitCommit: 'abc', gitDirty: false } as Environment;

const report = async (name: string): Promise<ReportFacts> => readReport(JSON.parse(await readFile(`${FIXTURES_DIR}artillery-${name}.json`, 'utf8')), `artillery-${name}.json`);

// The fixtures are real reports (trimmed of plugin metrics) of `artillery run` on exported scripts against
// redis-token on loopback: validate, session, revocation and ceiling at 500 req/s for 3 s.
describe('authbench import artillery: a report becomes a cell', () => {
  it('reads the scenario, the design and the workers from the counters the processor added', async () => {
    const r = await report('validate');
    assert.equal(r.scenario, 'validate');
    assert.equal(r.design, 'redis-token');
    assert.equal(r.workers, 1);
    assert.deepEqual(r.exportedRps, [500]);
    assert.ok(r.durationSec > 2 && r.durationSec < 10, `duration ${r.durationSec}`);
  });

  it('counts every validate 200 as correct, with the sampled bodies and Artillery\'s percentiles', async () => {
    const result = importArtilleryReports([await report('validate')], { design: undefined, environment });
    const cell = loadCellOf(result, 'validate', 'redis-token');
    const rep = cell?.repetitions[0];
    assert.equal(rep?.correct, 1500);
    assert.equal(rep?.wrongAnswers, 0);
    assert.equal(rep?.measurement?.contentChecked, 1005);
    assert.equal(rep?.measurement?.contentMismatches, 0);
    assert.deepEqual(cell?.summary?.statusCounts, { '200': 1500 });
    assert.equal(cell?.summary?.latencyMs.p99, 102.5, 'the report\'s p99, as Artillery summarised it');
    assert.ok(result.method.some((m) => /DDSketch of 1% relative accuracy/.test(m)));
  });

  it('titles its tables as Artillery\'s open arrivals, not authbench\'s closed loop', async () => {
    const result = importArtilleryReports([await report('validate')], { design: undefined, environment });
    assert.equal(result.importedFrom, 'artillery');
    const tables = renderTables(result);
    assert.match(tables, /validate · open arrivals \(imported from Artillery\), latency from the write/);
    assert.doesNotMatch(tables, /closed loop/);
  });

  it('counts every revoked token refused by redis-token as correct, and none accepted', async () => {
    const result = importArtilleryReports([await report('revocation')], { design: undefined, environment });
    const s = loadCellOf(result, 'revocation', 'redis-token')?.summary;
    assert.deepEqual(s?.statusCounts, { '401': 1500 });
    assert.equal(s?.revokedAccepted, 0);
    assert.equal(s?.wrongAnswers, 0);
  });

  it('counts the sessions of the session scenario', async () => {
    const s = loadCellOf(importArtilleryReports([await report('session')], { design: undefined, environment }), 'session', 'redis-token')?.summary;
    assert.deepEqual(s?.sessions, { sessions: 214, refreshes: 0, refreshesFailed: 0 });
    assert.deepEqual(s?.statusCounts, { '200': 1284, '204': 214 });
  });

  it('makes repetitions of reports of one scenario, a ceiling cell of the ceiling, and a result the reader accepts for comparison', async () => {
    const reports = [await report('validate'), await report('validate'), await report('validate'), await report('ceiling'), await report('ceiling'), await report('ceiling')];
    const result = checkResult(JSON.parse(JSON.stringify(importArtilleryReports(reports, { design: undefined, environment }))), 'imported', { forComparison: true });
    assert.deepEqual(measuredCellsOf(result).map((c) => `${c.scenario}:${c.repetitions.length}`), ['validate:3']);
    assert.equal(result.config.repeat, 3);
    assert.ok((result.ceiling['redis-token']?.median ?? 0) > 0);
  });

  it('refuses a --design other than the one the scripts were exported for, and a report that is not Artillery\'s', async () => {
    assert.throws(() => importArtilleryReports([readReport(JSON.parse('{"aggregate":{"counters":{"vusers.created_by_name.validate":1},"firstMetricAt":1,"lastMetricAt":2},"intermediate":[]}'), 'x.json')], { design: 'nope', environment }), /--design: unknown "nope"; valid values: .*redis-token/);
    await assert.rejects(async () => importArtilleryReports([await report('validate')], { design: 'jwt', environment }), /--design jwt, but the reports were exported for redis-token/);
    assert.throws(() => readReport({ tool: 'authbench' }, 'result.json'), /result\.json: not an Artillery JSON report/);
  });
});
