import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fakeRun, steady } from '../../test-support/compare-fixtures.js';
import { readRunResult, resultProblem } from './read.js';

describe('reading a result file for comparison', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-input-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  const refuses = async (path: string, reason: RegExp): Promise<void> => {
    await assert.rejects(readRunResult(path, 'baseline'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_INVALID_OPTION');
      assert.match(err.message, reason);
      return true;
    });
  };

  it('reads a complete authbench run', async () => {
    const run = fakeRun({ rps: steady });
    const read = await readRunResult(await write('ok.json', JSON.stringify(run)), 'baseline');
    assert.deepEqual(read, JSON.parse(JSON.stringify(run)));
  });

  it('refuses a missing file, naming it', async () => {
    await refuses(join(dir, 'nope.json'), /^baseline .*nope\.json: no such file$/);
  });

  it('refuses a truncated JSON file', async () => {
    const text = JSON.stringify(fakeRun({ rps: steady }));
    await refuses(await write('cut.json', text.slice(0, text.length / 2)), /cut\.json: not valid JSON \(truncated\?\)/);
  });

  it('refuses an empty file', async () => {
    await refuses(await write('empty.json', ''), /not valid JSON \(empty file\)/);
  });

  it('refuses another tool\'s JSON', async () => {
    await refuses(await write('k6.json', JSON.stringify({ metrics: { http_reqs: { count: 10 } } })), /not an authbench result \(tool: null\)/);
    await refuses(await write('bmf.json', JSON.stringify({ tool: 'bencher', x: 1 })), /not an authbench result \(tool: "bencher"\)/);
    await refuses(await write('array.json', '[1, 2]'), /not a JSON object/);
  });

  it('refuses a schema version it does not know, and a run that did not finish', async () => {
    await refuses(await write('v2.json', JSON.stringify({ ...fakeRun({ rps: steady }), schemaVersion: 2 })), /schemaVersion 2, this authbench reads 1 only/);
    await refuses(await write('int.json', JSON.stringify({ ...fakeRun({ rps: steady }), status: 'interrupted' })), /the run is not complete \(status: "interrupted"\)/);
  });

  it('refuses a result whose repetitions lack the figures compared', () => {
    const run = JSON.parse(JSON.stringify(fakeRun({ rps: steady }))) as { cells: { repetitions: { measurement?: unknown }[] }[] };
    delete run.cells[3]?.repetitions[1]?.measurement;
    assert.match(resultProblem(run) ?? '', /validate × jwt: repetition 2 lacks requestsPerSec or measurement\.latencyMs\.p99/);
  });

  it('refuses a result without ceiling cells', () => {
    const run = fakeRun({ rps: steady });
    assert.equal(resultProblem({ ...run, cells: run.cells.filter((c) => c.scenario !== 'ceiling') }), 'no ceiling cells to divide by');
  });
});
