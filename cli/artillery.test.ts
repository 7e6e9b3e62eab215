import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FIXTURES_DIR, tableRows } from '../test-support/report-fixtures.js';
import { runCli } from '../test-support/server-process.js';

const fixture = (name: string): string => `${FIXTURES_DIR}artillery-${name}.json`;

describe('authbench export artillery: flags checked at the edge', () => {
  const base = ['export', 'artillery', '--target', 'http://127.0.0.1:3000', '--design', 'redis-token', '--out', join(tmpdir(), 'authbench-never-written')];
  const bad: [string, string[], RegExp][] = [
    ['propagation, which starts servers of its own', ['--scenarios', 'propagation'], /--scenarios: unknown "propagation" \(propagation starts servers or faults of its own.*\); valid values: ceiling, login, validate, logout, revocation, session/],
    ['an unknown scenario', ['--scenarios', 'validate,nope'], /--scenarios: unknown "nope"; valid values: /],
    ['a rate that is not a whole number', ['--rate', '12.5'], /--rate must be an integer number of requests per second >= 1, got "12\.5"/],
    ['a bad error rate', ['--error-rate', '150%'], /--error-rate must be a percentage from 0 to below 100/],
    ['a missing budget file', ['--budget', '/nonexistent/budget.json'], /--budget \/nonexistent\/budget\.json: cannot read it: ENOENT/],
  ];
  for (const [what, args, reason] of bad) {
    it(`exits 2 on ${what}, naming the flag`, async () => {
      const r = await runCli([...base, ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, reason);
      assert.equal(existsSync(join(tmpdir(), 'authbench-never-written')), false);
    });
  }

  it('exits 2 on an unknown design, listing the valid ones', async () => {
    const r = await runCli(['export', 'artillery', '--target', 'http://127.0.0.1:3000', '--design', 'jwt-magic', '--out', join(tmpdir(), 'x')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--design: unknown "jwt-magic" .*valid values: jwt, .*redis-token/);
  });
});

describe('authbench import artillery: the result reads like any other run', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-artillery-import-'));
  });
  after(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('imports reports (three of validate, three of the ceiling), prints the tables and writes result.json', async () => {
    const r = await runCli(['import', 'artillery', ...[1, 2, 3].map(() => fixture('validate')), ...[1, 2, 3].map(() => fixture('ceiling')), '--out', join(dir, 'a')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /method: imported from Artillery JSON reports/);
    assert.match(r.stdout, /│ redis-token │ \d+/);
    assert.match(r.stderr, /result: .*a\/result\.json/);
  });

  it('authbench report renders it', async () => {
    const r = await runCli(['report', join(dir, 'a', 'result.json')]);
    assert.equal(r.code, 0, r.stderr);
    const md = await readFile(join(dir, 'a', 'report.md'), 'utf8');
    assert.match(md, /validate/);
    assert.match(md, /imported from Artillery JSON reports/);
  });

  it('authbench compare compares it with another import, cell by cell', async () => {
    const r = await runCli(['compare', join(dir, 'a', 'result.json'), join(dir, 'a', 'result.json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      tableRows(r.stdout)[0]?.some((row) => row[0] === 'validate' && row[1] === 'redis-token' && row[2] === 'req/s ÷ ceiling'),
      r.stdout,
    );
  });

  it('exits 2 on a file that is not an Artillery report, naming it', async () => {
    const r = await runCli(['import', 'artillery', `${FIXTURES_DIR}sample-run.json`, '--out', join(dir, 'b')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /sample-run\.json: not an Artillery JSON report/);
  });
});
