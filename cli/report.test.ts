import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixturePath } from '../test-support/report-fixtures.js';
import { runCli } from '../test-support/server-process.js';

describe('authbench report', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-report-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const bad: [string, string, RegExp][] = [
    ['a truncated JSON', '{"schemaVersion": 1, "tool": "authbench", "kind": "run", "cells": [{"scenario": "val', /the JSON ends early \(a truncated file\?\)/],
    ['the JSON of another tool', '{"url": "http://localhost:3000", "requests": {"average": 100}}', /not an authbench result: it has no "tool" field/],
    ['an unknown schemaVersion', '{"schemaVersion": 99, "tool": "authbench", "kind": "run", "cells": []}', /schemaVersion 99 is not one this authbench reads \(it reads 1 and 2\)/],
  ];
  for (const [what, text, message] of bad) {
    it(`exits 2 on ${what}, naming the file and what is wrong`, async () => {
      const file = join(dir, `${what.replaceAll(' ', '-')}.json`);
      await writeFile(file, text);
      const out = join(dir, `out-${what.replaceAll(' ', '-')}`);
      const r = await runCli(['report', file, '--out', out]);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes(file), r.stderr);
      assert.match(r.stderr, message);
      await assert.rejects(stat(out), 'nothing was written');
    });
  }

  it('exits 2 on a missing file', async () => {
    const r = await runCli(['report', join(dir, 'missing.json')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /missing\.json: cannot read the result: no such file/);
  });

  it('exits 2 without a result file', async () => {
    const r = await runCli(['report']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /missing required argument/);
  });

  it('writes report.md, report.html and a chart file per chart into --out', async () => {
    const out = join(dir, 'several');
    const r = await runCli(['report', fixturePath('alg-rs256'), fixturePath('alg-es256'), '--out', out], {}, 60_000);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${join(out, 'report.md')}\n${join(out, 'report.html')}\n`);
    const files = (await readdir(out)).sort();
    assert.deepEqual(files, ['across-p99.svg', 'across-throughput.svg', 'report.html', 'report.md', 'run1-cost.svg', 'run1-latency.svg', 'run1-throughput.svg', 'run2-cost.svg', 'run2-latency.svg', 'run2-throughput.svg']);
    const md = await readFile(join(out, 'report.md'), 'utf8');
    for (const svg of files.filter((f) => f.endsWith('.svg'))) assert.ok(md.includes(`](${svg})`), `report.md links ${svg}`);
  });

  it('writes beside the first result when --out is not given', async () => {
    const copy = join(dir, 'beside', 'result.json');
    await rm(join(dir, 'beside'), { recursive: true, force: true });
    await mkdir(join(dir, 'beside'));
    await copyFile(fixturePath('outage-run'), copy);
    const r = await runCli(['report', copy], {}, 60_000);
    assert.equal(r.code, 0, r.stderr);
    const files = await readdir(join(dir, 'beside'));
    for (const f of ['report.md', 'report.html', 'outage-kill.svg', 'outage-stop.svg', 'outage-flush.svg']) assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
  });
});
