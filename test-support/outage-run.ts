/**
 * Outage runs of the real CLI against real servers and real Redis processes, and the checks read from their JSON:
 * shared by bench/run/outage-cells.test.ts (one fault, in `npm test`) and outage-cells.slow.test.ts (every fault and
 * design, in `npm run test:slow`), so that both hold the designs to the same rules.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outageCellsOf, type OutageCell, type RunResult } from '../bench/result/schema.js';
import { OUTAGE_TIMEOUT_SEC } from '../bench/run/outage-cells.js';
import { runCli } from './server-process.js';

/** A short outage run (1 s before, 2 s of fault, 2 s after, 200 req/s) with `args` added; its result. */
export async function outageRun(args: string[]): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'authbench-outage-'));
  try {
    const r = await runCli(['run', '--scenarios', 'outage', '--phases', '1,2,2', '--rate', '200', '--duration', '0.5', '--warmup', '0', '--repeat', '1', '--out', dir, ...args], {}, 300_000);
    assert.equal(r.code, 0, `exit ${r.code}; stderr:\n${r.stderr}`);
    return JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')) as RunResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export type CheckedOutageCell = OutageCell & { outage: NonNullable<OutageCell['outage']> };

/** The cell of a fault, design and policy, which must have run and have outage figures. */
export function cellOf(result: RunResult, fault: string, strategy: string, policy: string): CheckedOutageCell {
  const cell = outageCellsOf(result).find((c) => c.fault === fault && c.strategy === strategy && c.policy === policy);
  assert.ok(cell, `no cell ${fault} × ${strategy} (${policy})`);
  assert.equal(cell.status, 'ok', `${fault} × ${strategy} (${policy}): ${cell.errors.join('; ')}`);
  assert.ok(cell.outage, `${fault} × ${strategy} (${policy}) has no outage figures`);
  return cell as CheckedOutageCell;
}

/** jwt-local-denylist answers through the fault and never accepts a token revoked before it (its set outlives Redis's data). */
export function checkLocalDenylistHolds(result: RunResult, fault: string): void {
  const o = cellOf(result, fault, 'jwt-local-denylist', 'none').outage;
  assert.equal(o.availability, 1, `${fault}: availability`);
  assert.deepEqual(o.revokedAccepted, { before: 0, during: 0, after: 0 }, `${fault}: revoked tokens accepted`);
}

/**
 * A Redis design (fail-closed) answers 503 while Redis is stopped or killed, never hangs, and recovers by itself.
 * Behaviour, not a latency bound (the table's figures say how fast, and a busy machine can stretch any one request):
 * a server that waits on Redis answers nothing until Redis is back, so no 503 lands in the fault phase but in its
 * last bucket (the waiting requests end late, as 200s or client timeouts); one that fails fast answers 503 all
 * through the fault.
 */
export function checkFailsFastAndRecovers(result: RunResult, fault: string, strategy: string): void {
  const what = `${fault} × ${strategy}`;
  const o = cellOf(result, fault, strategy, 'closed').outage;
  assert.ok(o.timeToDetectMs !== null, `${what}: no 503 was seen`);
  assert.ok(o.availability !== null && o.availability < 0.5, `${what}: availability ${o.availability}`);
  const during = o.timeline.filter((b) => b.phase === 'during');
  assert.ok(during.slice(0, -1).filter((b) => b.unavailable503 > 0).length >= 2, `${what}: 503s answered while Redis was down: ${JSON.stringify(during)}`);
  assert.equal(o.unknownOutcome, 0, `${what}: requests the load generator gave up on (no answer in ${OUTAGE_TIMEOUT_SEC} s)`);
  assert.equal(o.lostRequests, 0, `${what}: requests lost`);
  // Every bucket from one in the after phase on is healthy: recovered within the after phase, by itself.
  assert.ok(o.timeToSustainedMs !== null, `${what}: never recovered`);
}

/** A fault that empties Redis (kill without persistence, flush) lets jwt-blacklist accept tokens revoked before it. */
export function checkBlacklistLost(result: RunResult, fault: string): void {
  const o = cellOf(result, fault, 'jwt-blacklist', 'closed').outage;
  assert.equal(o.revokedAccepted.before, 0, `${fault}: revoked accepted before the fault`);
  assert.ok(o.revokedAccepted.after > 0, `${fault}: the lost blacklist should let revoked tokens through`);
}

/** A fault that empties Redis logs every redis-token session out: a mass logout, and no revoked token accepted. */
export function checkSessionsLost(result: RunResult, fault: string): void {
  const o = cellOf(result, fault, 'redis-token', 'closed').outage;
  assert.equal(o.revokedAccepted.after, 0, `${fault}: revoked accepted after`);
  assert.ok(o.sessionsLost > 0, `${fault}: sessions lost`);
  assert.equal(o.validRefused.before, 0, `${fault}: valid tokens refused before the fault`);
}

/** Fail-open serves requests without a revocation check, counted, where fail-closed answers 503. */
export function checkFailOpen(result: RunResult, fault: string): void {
  const open = cellOf(result, fault, 'jwt-blacklist', 'open').outage;
  const closed = cellOf(result, fault, 'jwt-blacklist', 'closed').outage;
  assert.ok(open.uncheckedServed > 0, `${fault}: unchecked requests are counted`);
  assert.ok((open.availability ?? 0) > (closed.availability ?? 1), `${fault}: open keeps answering`);
  assert.equal(closed.uncheckedServed, 0, `${fault}: closed serves nothing unchecked`);
}

/** The server's health (in-flight requests, RSS) is sampled into the timeline. */
export function checkHealthSampled(result: RunResult, fault: string): void {
  const o = cellOf(result, fault, 'redis-token', 'closed').outage;
  assert.ok(o.timeline.some((b) => typeof b.inFlight === 'number' && typeof b.rssBytes === 'number'), `${fault}: health in the timeline`);
}
