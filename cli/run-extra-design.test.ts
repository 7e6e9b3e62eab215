import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadCellOf, outageCellsOf, type RunResult } from '../bench/result/schema.js';
import { fakeDesignsImport } from '../test-support/fake-designs.js';
import { SHORT_CELLS } from '../test-support/cli-process.js';
import { runCli } from '../test-support/server-process.js';

/**
 * A design the harness has never heard of, registered from outside (test-support/fake-designs.ts, loaded with
 * `node --import` into the run and every server it starts), goes through run → cost → decomposition → outage →
 * report with no harness file changed. Its traits differ from what a harness guessing by name would assume: a
 * stateless token that is no JWT and cannot be revoked, and a session under a key pattern no built-in design uses.
 */
describe('an extra design runs through every stage from its definition alone', () => {
  let dir: string;
  let result: RunResult;
  let stdout: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-extra-design-'));
    const args = ['run', '--quick', ...SHORT_CELLS, '--strategies', 'fixture-signed,fixture-session', '--scenarios', 'validate,revocation,outage', '--faults', 'kill', '--phases', '1,1,1', '--rate', '200', '--out', dir];
    const r = await runCli(args, { NODE_OPTIONS: fakeDesignsImport() }, 180_000);
    assert.equal(r.code, 0, `${r.stderr}\n${r.stdout}`);
    stdout = r.stdout;
    result = JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult;
  });
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('records each design with the traits it declared', () => {
    assert.deepEqual(Object.keys(result.designs), ['fixture-signed', 'fixture-session']);
    assert.equal(result.designs['fixture-signed']?.traits.revocation, 'at-expiry');
    assert.equal(result.designs['fixture-session']?.traits.state.kind, 'session');
  });

  it('expects revoked tokens accepted from the design that cannot revoke, and refused by the other: no wrong answers either way', () => {
    const signed = loadCellOf(result, 'revocation', 'fixture-signed')?.summary;
    const session = loadCellOf(result, 'revocation', 'fixture-session')?.summary;
    assert.ok(signed && session);
    assert.equal(signed.wrongAnswers, 0);
    assert.ok((signed.revokedAccepted ?? 0) > 0, 'fixture-signed accepts revoked tokens until exp');
    assert.equal(session.wrongAnswers, 0);
    assert.equal(session.revokedAccepted, 0);
  });

  it('measures the state each design declares: none for one, the keys of its own pattern for the other', () => {
    const signed = loadCellOf(result, 'validate', 'fixture-signed')?.summary?.cost;
    const session = loadCellOf(result, 'validate', 'fixture-session')?.summary?.cost;
    assert.ok(signed && session);
    assert.deepEqual([signed.stateKind, signed.stateBytes, signed.redisCommandsPerRequest], ['none', 0, 0]);
    assert.equal(session.stateKind, 'session');
    assert.ok((session.stateBytes ?? 0) > 0, 'fixture-session:* keys were found and sized');
    // Its one command per request is GET (the exact count per request is checked without load in servers/designs/traits.test.ts).
    assert.deepEqual(Object.keys(session.redisCommandsByName), ['get']);
  });

  it('decomposes each design into the parts it declares: no JWT verify for either, a Redis command for one', () => {
    const rows = new Map(result.decomposition?.rows.map((r) => [r.strategy, r]));
    assert.deepEqual([rows.get('fixture-signed')?.jwtLibraryUs, rows.get('fixture-signed')?.cryptoFloorUs, rows.get('fixture-signed')?.redisUs], [null, null, null]);
    assert.equal(rows.get('fixture-session')?.jwtLibraryUs, null);
    assert.ok((rows.get('fixture-session')?.redisUs ?? 0) > 0);
  });

  it('runs each design under the failure policies it declares, and knows which one cannot refuse revoked tokens', () => {
    const cells = outageCellsOf(result);
    assert.deepEqual(cells.map((c) => [c.strategy, c.policy, c.status]), [['fixture-signed', 'none', 'ok'], ['fixture-session', 'closed', 'ok']]);
    const [signed, session] = cells;
    assert.equal(signed?.outage?.expectRevokedRefused, false);
    assert.equal(signed?.outage?.availability, 1, 'no Redis on its request path: a killed Redis changes nothing');
    assert.equal(session?.outage?.expectRevokedRefused, true);
  });

  it('shows both designs in the terminal tables and in the report, which is made without the designs being registered', async () => {
    for (const d of ['fixture-signed', 'fixture-session']) assert.match(stdout, new RegExp(`│ ${d} `));
    const report = await runCli(['report', join(dir, 'result.json'), '--out', join(dir, 'again')]);
    assert.equal(report.code, 0, report.stderr);
    const md = await readFile(join(dir, 'again', 'report.md'), 'utf8');
    assert.match(md, /authbench report: fixture-signed vs fixture-session/);
  });
});
