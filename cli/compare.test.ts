import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fakeRun, steady } from '../test-support/compare-fixtures.js';
import { runCli } from '../test-support/server-process.js';
import { columnTitles, tableRows } from '../test-support/report-fixtures.js';

describe('authbench compare: exit codes and reasons, as a process', () => {
  let dir: string;
  const file = (name: string): string => join(dir, name);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-compare-'));
    const slower = (s: string, t: string, r: number): number => steady(s, t, r) * (s === 'validate' && t === 'jwt-blacklist' ? 0.6 : 1);
    const text = JSON.stringify(fakeRun({ rps: steady }));
    await writeFile(file('base.json'), text);
    await writeFile(file('same.json'), text);
    await writeFile(file('slower.json'), JSON.stringify(fakeRun({ rps: slower })));
    await writeFile(file('rs256.json'), JSON.stringify(fakeRun({ rps: steady, flags: { jwtAlg: 'RS256' } })));
    await writeFile(file('latency.json'), JSON.stringify(fakeRun({ rps: slower, flags: { redisLatency: '1ms' } })));
    await writeFile(file('truncated.json'), text.slice(0, 5000));
    await writeFile(file('other-tool.json'), JSON.stringify({ tool: 'k6', metrics: {} }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 and prints the table when nothing regressed', async () => {
    const r = await runCli(['compare', file('base.json'), file('same.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(columnTitles(r.stdout), ['scenario', 'strategy', 'metric', 'baseline', 'current', 'change', 'interval', 'verdict']);
    assert.doesNotMatch(r.stdout, /REGRESSED/);
    assert.match(r.stdout, /threshold: throughput 10%, p99 25%/, 'the default thresholds');
  });

  it('exits 1 on a regression and writes the JSON and Markdown asked for', async () => {
    const r = await runCli(['compare', file('base.json'), file('slower.json'), '--json', file('c.json'), '--markdown', file('c.md')]);
    assert.equal(r.code, 1, r.stderr);
    const row = tableRows(r.stdout)[0]?.find((x) => x[0] === 'validate' && x[1] === 'jwt-blacklist' && x[2] === 'req/s ÷ ceiling');
    assert.deepEqual([row?.[5], row?.[7]], ['−40.0%', 'REGRESSED'], r.stdout);
    const json = JSON.parse(await readFile(file('c.json'), 'utf8')) as { rows: { verdict: string }[] };
    assert.equal(json.rows.filter((x) => x.verdict === 'regressed').length, 1);
    assert.match(await readFile(file('c.md'), 'utf8'), /❌ regression/);
  });

  it('exits 2 when the load options differ, naming them', async () => {
    const r = await runCli(['compare', file('base.json'), file('rs256.json')]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /NOT COMPARABLE/);
    assert.match(r.stderr, /not comparable: load option jwt-alg: baseline HS256, current RS256/);
  });

  it('compares a Redis latency run when the difference is allowed on purpose, and shows it', async () => {
    const refused = await runCli(['compare', file('base.json'), file('latency.json')]);
    assert.equal(refused.code, 2);
    const r = await runCli(['compare', file('base.json'), file('latency.json'), '--allow-difference', 'redis-latency']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /allowed difference \(--allow-difference\): redis-latency: baseline 0 ms, current 1 ms/);
  });

  const bad: [string, string[], RegExp][] = [
    ['a missing file', ['missing.json', 'same.json'], /baseline .*missing\.json: cannot read the result: no such file/],
    ['a truncated JSON', ['base.json', 'truncated.json'], /current .*truncated\.json: the JSON ends early \(a truncated file\?\)/],
    ['a result from another tool', ['other-tool.json', 'same.json'], /baseline .*other-tool\.json: not an authbench result: its "tool" is "k6"/],
  ];
  for (const [what, files, reason] of bad) {
    it(`exits 2 on ${what}, with the reason`, async () => {
      const r = await runCli(['compare', ...files.map(file)]);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stderr, reason);
      assert.equal(r.stdout, '');
    });
  }

  it('exits 2 on a threshold that is not a percentage', async () => {
    for (const t of ['0%', '150%', 'ten']) {
      const r = await runCli(['compare', file('base.json'), file('same.json'), '--threshold', t]);
      assert.equal(r.code, 2, `--threshold ${t}`);
      assert.match(r.stderr, /--threshold must be a percentage above 0 and below 100/);
    }
  });

  it('exits 2 when a file argument is missing', async () => {
    const r = await runCli(['compare', file('base.json')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing required argument 'current'/);
  });
});

describe('authbench ci: refuses before running anything', () => {
  it('exits 2 without a baseline, saying how to make one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'authbench-ci-'));
    try {
      const r = await runCli(['ci', '--baseline', join(dir, 'none.json'), '--out', dir]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /baseline .*none\.json: cannot read the result: no such file \(make one with `npx authbench baseline`\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
