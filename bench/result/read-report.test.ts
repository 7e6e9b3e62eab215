import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidOptionError } from '../../lib/errors.js';
import { fixturePath } from '../../test-support/report-fixtures.js';
import { loadResult, parseResult } from './read-report.js';

const refused = (fn: () => unknown, message: RegExp): void =>
  assert.throws(fn, (err: unknown) => err instanceof InvalidOptionError && err.code === 'ERR_INVALID_OPTION' && message.test(err.message));

describe('reading a result file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-load-result-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a real result', async () => {
    const r = await loadResult(fixturePath('sample-run'));
    assert.equal(r.cells.length, 18);
  });

  it('says a missing file does not exist', async () => {
    await assert.rejects(loadResult(join(dir, 'nope.json')), (err: unknown) => err instanceof InvalidOptionError && /nope\.json: cannot read the result: no such file/.test(err.message));
  });

  it('says a directory is not a result file', async () => {
    await assert.rejects(loadResult(dir), /a directory, not a result file/);
  });

  it('says a JSON cut short is truncated', async () => {
    const path = join(dir, 'cut.json');
    await writeFile(path, '{"schemaVersion": 1, "tool": "authbench", "cells": [');
    await assert.rejects(loadResult(path), /cut\.json: the JSON ends early \(a truncated file\?\)/);
    refused(() => parseResult('{"a": 1,', 'x.json'), /^x\.json: the JSON ends early/);
  });

  it('tells JSON that is wrong apart from JSON that is cut short', () => {
    refused(() => parseResult('{a: 1}', 'x.json'), /^x\.json: not valid JSON: /);
    refused(() => parseResult('   ', 'x.json'), /^x\.json: the file is empty/);
  });

  it('refuses the JSON of another tool and says why', () => {
    refused(() => parseResult('{"name": "autocannon", "requests": {}}', 'ac.json'), /^ac\.json: not an authbench result: it has no "tool" field/);
    refused(() => parseResult('{"tool": "k6"}', 'k6.json'), /not an authbench result: its "tool" is "k6"/);
    refused(() => parseResult('[1, 2]', 'a.json'), /the JSON is an array, not an object/);
  });

  it('refuses an authbench file that is not a run result', () => {
    refused(() => parseResult('{"tool": "authbench", "kind": "micro", "schemaVersion": 1}', 'm.json'), /kind "micro", not a run result/);
  });

  it('refuses a schema version it does not know, naming the one it reads', () => {
    refused(() => parseResult('{"tool": "authbench", "kind": "run", "schemaVersion": 2}', 'new.json'), /^new\.json: schemaVersion 2 is not one this authbench reads \(it reads 1\)/);
  });

  it('refuses a result without the fields a report needs', () => {
    refused(() => parseResult('{"tool": "authbench", "kind": "run", "schemaVersion": 1, "environment": {}, "config": {}, "method": []}', 'r.json'), /"cells" must be an array, got undefined/);
    const badCell = '{"tool": "authbench", "kind": "run", "schemaVersion": 1, "environment": {}, "config": {}, "method": [], "cells": [{"scenario": "x"}]}';
    refused(() => parseResult(badCell, 'r.json'), /cells\[0\] lacks "scenario", "strategy" or "errors"/);
  });
});
