import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidOptionError } from '../../lib/errors.js';
import { fakeRun, steady } from '../../test-support/compare-fixtures.js';
import { fixturePath } from '../../test-support/report-fixtures.js';
import { designOf } from '../../servers/designs/index.js';
import { parseResult, readResult, resultProblem } from './read.js';
import { ceilingCellsOf, loadCellOf, outageCellsOf, SCHEMA_VERSION } from './schema.js';

const refused = (fn: () => unknown, message: RegExp): void =>
  assert.throws(fn, (err: unknown) => err instanceof InvalidOptionError && err.code === 'ERR_INVALID_OPTION' && message.test(err.message));

describe('reading a result file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-read-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };

  it('reads a complete run of this version as it was written', async () => {
    const run = fakeRun({ rps: steady });
    const read = await readResult(await write('ok.json', JSON.stringify(run)), { role: 'baseline', forComparison: true });
    assert.deepEqual(read, JSON.parse(JSON.stringify(run)));
  });

  it('reads a real version 1 result and upgrades it: cells tagged by kind, outage cells without repetitions, the designs and their traits', async () => {
    const text = await readFile(fixturePath('sample-run'), 'utf8');
    assert.equal((JSON.parse(text) as { schemaVersion: number }).schemaVersion, 1);
    const r = await readResult(fixturePath('sample-run'));
    assert.equal(r.schemaVersion, SCHEMA_VERSION);
    assert.equal(r.upgradedFrom, 1);
    assert.equal(r.cells.length, 18);
    assert.equal(ceilingCellsOf(r).length, 3);
    assert.equal(loadCellOf(r, 'validate', 'jwt')?.kind, 'load');
    assert.deepEqual(r.designs['jwt-blacklist']?.traits, designOf('jwt-blacklist').traits);
    const outage = await readResult(fixturePath('outage-run'));
    assert.ok(outageCellsOf(outage).length > 0);
    for (const c of outageCellsOf(outage)) assert.equal('repetitions' in c, false);
  });

  it('says a missing file does not exist, naming it and its role', async () => {
    await assert.rejects(readResult(join(dir, 'nope.json'), { role: 'baseline' }), (err: unknown) => err instanceof InvalidOptionError && /^baseline .*nope\.json: cannot read the result: no such file$/.test(err.message));
  });

  it('says a directory is not a result file', async () => {
    await assert.rejects(readResult(dir), /a directory, not a result file/);
  });

  it('says a JSON cut short is truncated', async () => {
    const text = JSON.stringify(fakeRun({ rps: steady }));
    await assert.rejects(readResult(await write('cut.json', text.slice(0, text.length / 2))), /cut\.json: the JSON ends early \(a truncated file\?\)/);
    refused(() => parseResult('{"a": 1,', 'x.json'), /^x\.json: the JSON ends early/);
  });

  it('tells JSON that is wrong apart from JSON that is cut short, and from an empty file', () => {
    refused(() => parseResult('{a: 1}', 'x.json'), /^x\.json: not valid JSON: /);
    refused(() => parseResult('   ', 'x.json'), /^x\.json: the file is empty/);
  });

  it('refuses the JSON of another tool and says why', () => {
    refused(() => parseResult('{"name": "autocannon", "requests": {}}', 'ac.json'), /^ac\.json: not an authbench result: it has no "tool" field/);
    refused(() => parseResult('{"tool": "k6"}', 'k6.json'), /not an authbench result: its "tool" is "k6"/);
    refused(() => parseResult('{"tool": "bencher", "x": 1}', 'b.json'), /its "tool" is "bencher"/);
    refused(() => parseResult('[1, 2]', 'a.json'), /the JSON is an array, not an object/);
  });

  it('refuses an authbench file that is not a run result', () => {
    refused(() => parseResult('{"tool": "authbench", "kind": "micro", "schemaVersion": 1}', 'm.json'), /kind "micro", not a run result/);
  });

  it('refuses a schema version it does not know, naming the ones it reads', () => {
    refused(() => parseResult('{"tool": "authbench", "kind": "run", "schemaVersion": 3}', 'new.json'), /^new\.json: schemaVersion 3 is not one this authbench reads \(it reads 1 and 2\)/);
  });

  it('refuses a result without the fields a report needs', () => {
    refused(() => parseResult('{"tool": "authbench", "kind": "run", "schemaVersion": 2, "environment": {}, "config": {}, "method": []}', 'r.json'), /"cells" must be an array, got undefined/);
    const badCell = '{"tool": "authbench", "kind": "run", "schemaVersion": 2, "environment": {}, "config": {}, "method": [], "cells": [{"scenario": "x"}]}';
    refused(() => parseResult(badCell, 'r.json'), /cells\[0\] lacks "scenario", "strategy" or "errors"/);
  });

  it('for a comparison, refuses a run that did not finish (a report reads it)', async () => {
    const path = await write('int.json', JSON.stringify({ ...fakeRun({ rps: steady }), status: 'interrupted' }));
    await assert.rejects(readResult(path, { role: 'current', forComparison: true }), /current .*int\.json: the run is not complete \(status: "interrupted"\)/);
    assert.equal((await readResult(path)).status, 'interrupted');
  });

  it('for a comparison, refuses a result whose repetitions lack the figures compared', () => {
    const run = JSON.parse(JSON.stringify(fakeRun({ rps: steady }))) as { cells: { repetitions: { measurement?: unknown }[] }[] };
    delete run.cells[3]?.repetitions[1]?.measurement;
    assert.match(resultProblem(run, { forComparison: true }) ?? '', /validate × jwt: repetition 2 lacks requestsPerSec or measurement\.latencyMs\.p99/);
    assert.equal(resultProblem(run), undefined, 'a report can still show it');
  });

  it('for a comparison, refuses a result without ceiling cells', () => {
    const run = fakeRun({ rps: steady });
    assert.equal(resultProblem({ ...run, cells: run.cells.filter((c) => c.kind !== 'ceiling') }, { forComparison: true }), 'no ceiling cells to divide by');
  });
});
