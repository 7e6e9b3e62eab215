/**
 * The verdict table: the usual trade-offs between the designs, each row settled by figures of this run.
 * Everything in a cell is computed from the result; only the row definitions and their rules are written here.
 * Pure: no clock, no I/O.
 */
import type { PropagationSummary } from '../measure/propagation.js';
import { loadCellsOf, type LoadCell, type OutageCell, type RunResult } from '../result/schema.js';
import { design as outageDesign } from '../render/outage-table.js';
import { fmtInt, fmtMs, fmtPercent } from '../render/format.js';
import { loadCellOf, costOf, count5xx, designsOf, outageCellsOf } from './model.js';

export type VerdictRowId = 'statelessness' | 'performance' | 'latency' | 'reliability' | 'scalability' | 'logout' | 'propagation';

export interface VerdictRow {
  readonly id: VerdictRowId;
  readonly title: string;
  /** How the winner is chosen, in one sentence (shown under the table). */
  readonly rule: string;
  /** The measured evidence, per design (strategy name). */
  readonly evidence: Readonly<Record<string, string>>;
  /** The designs that win the row (several on a tie); empty when the run did not measure it. */
  readonly winners: readonly string[];
  /** `winners` as text: one name, `tie: a, b`, or why there is none. */
  readonly winner: string;
}

export interface Verdict {
  readonly designs: readonly string[];
  readonly rows: readonly VerdictRow[];
}

export const NOT_MEASURED = 'not measured in this run';

interface Scored {
  readonly name: string;
  /** Compared element by element, lower is better. */
  readonly key: readonly number[];
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The best-scored candidates (all of them on a tie); none unless at least two were scored, else nothing was compared. */
export function best(scored: readonly Scored[]): string[] {
  if (scored.length < 2) return [];
  const top = [...scored].sort((a, b) => compareKeys(a.key, b.key))[0] as Scored;
  return scored.filter((s) => compareKeys(s.key, top.key) === 0).map((s) => s.name);
}

function winnerText(winners: readonly string[], whyNone: string): string {
  if (winners.length === 0) return whyNone;
  return winners.length === 1 ? (winners[0] as string) : `tie: ${winners.join(', ')}`;
}

const round = (n: number, digits: number): number => Number(n.toFixed(digits));
const okSummary = (cell: LoadCell | undefined): LoadCell['summary'] => (cell?.status === 'ok' ? cell.summary : undefined);

/** The largest state size any cell of the design measured, with its kind (a validate cell has no revoked tokens to measure). */
function stateOf(result: RunResult, strategy: string): { bytes: number; kind: string } | undefined {
  let found: { bytes: number; kind: string } | undefined;
  for (const cell of loadCellsOf(result).filter((c) => c.strategy === strategy)) {
    const c = costOf(cell);
    if (c?.stateBytes !== undefined && (found === undefined || c.stateBytes > found.bytes)) found = { bytes: c.stateBytes, kind: c.stateKind ?? 'key' };
  }
  return found;
}

/**
 * Statelessness. Rule: fewest Redis commands per validate request (to 2 decimals), then fewest bytes of state
 * kept in Redis per session or per revoked token (an unmeasured state size ranks last).
 */
function statelessness(result: RunResult, designs: readonly string[]): VerdictRow {
  const evidence: Record<string, string> = {};
  const scored: Scored[] = [];
  for (const d of designs) {
    const cmds = costOf(loadCellOf(result, 'validate', d))?.redisCommandsPerRequest;
    const state = stateOf(result, d);
    const stateText = state === undefined ? 'state size not measured' : state.bytes === 0 ? 'no server-side state' : `${fmtInt(state.bytes)} B in Redis per ${state.kind.replace('-', ' ')}`;
    const tokenBytes = costOf(loadCellOf(result, 'validate', d))?.tokenBytes;
    if (cmds === undefined) {
      evidence[d] = NOT_MEASURED;
      continue;
    }
    evidence[d] = `${cmds.toFixed(2)} Redis commands per validate; ${stateText}${tokenBytes === undefined ? '' : `; ${tokenBytes} B token on every request`}`;
    scored.push({ name: d, key: [round(cmds, 2), state === undefined ? Infinity : Math.round(state.bytes)] });
  }
  const winners = best(scored);
  return {
    id: 'statelessness',
    title: 'statelessness',
    rule: 'fewest Redis commands per validate request (to 2 decimals), then fewest bytes of state in Redis per session or revoked token',
    evidence,
    winners,
    winner: winnerText(winners, NOT_MEASURED),
  };
}

/**
 * Performance. Rule: the highest median validate req/s (session when the run has no validate) wins; a design
 * whose min–max range reaches the winner's min ties with it (the difference is within the run's own noise).
 */
function performance(result: RunResult, designs: readonly string[]): VerdictRow {
  const scenario = designs.some((d) => okSummary(loadCellOf(result, 'validate', d)) !== undefined) ? 'validate' : 'session';
  const evidence: Record<string, string> = {};
  const measured: { name: string; median: number; min: number; max: number }[] = [];
  for (const d of designs) {
    const s = okSummary(loadCellOf(result, scenario, d));
    if (s === undefined || !Number.isFinite(s.requestsPerSec.median)) {
      evidence[d] = NOT_MEASURED;
      continue;
    }
    const r = s.requestsPerSec;
    evidence[d] = `${scenario}: ${fmtInt(r.median)} req/s (${fmtInt(r.min)}–${fmtInt(r.max)}), p99 ${fmtMs(s.latencyMs.p99)} ms, ${fmtPercent(s.ceilingFraction)} of ceiling`;
    measured.push({ name: d, ...r });
  }
  const top = [...measured].sort((a, b) => b.median - a.median)[0];
  const winners = measured.length < 2 || top === undefined ? [] : measured.filter((m) => m === top || m.max >= top.min).map((m) => m.name);
  return {
    id: 'performance',
    title: 'performance',
    rule: 'highest median validate req/s (session if there is no validate); designs whose min–max range reaches the fastest one\'s min tie with it',
    evidence,
    winners,
    winner: winnerText(winners, NOT_MEASURED),
  };
}

/**
 * Latency at equal load. Rule: at the highest offered rate that every design answered (≥ 90% of it, the cell not
 * errored), the lowest p99 of the merged histograms wins; a design whose per-repetition p99 range reaches the
 * winner's highest ties with it. A cell marked invalid (the generator lagged) is shown so, and still compared: it
 * is the same generator for every design.
 */
function latencyRow(result: RunResult, designs: readonly string[]): VerdictRow {
  const evidence: Record<string, string> = {};
  // A design measured with several JWT libraries or worker counts is judged by its first cell (the run's default).
  const cells = result.equalLoad?.cells ?? [];
  const held = (d: string, rps: number) => cells.find((c) => c.strategy === d && c.offeredRps === rps && c.status === 'ok' && c.summary !== undefined && c.summary.achievedRps.median >= 0.9 * rps);
  const rates = [...new Set(cells.map((c) => c.offeredRps))].sort((a, b) => b - a);
  const measured = designs.filter((d) => cells.some((c) => c.strategy === d));
  const rate = rates.find((r) => measured.length >= 2 && measured.every((d) => held(d, r) !== undefined));
  const scenario = result.equalLoad?.scenario ?? 'validate';
  const candidates: { name: string; p99: number; min: number; max: number }[] = [];
  for (const d of designs) {
    const cell = rate === undefined ? undefined : held(d, rate);
    const s = cell?.summary;
    if (s === undefined || rate === undefined) {
      evidence[d] = cells.some((c) => c.strategy === d) ? `no offered rate that every design held` : NOT_MEASURED;
      continue;
    }
    evidence[d] = `${scenario} at ${fmtInt(rate)} req/s: p50 ${fmtMs(s.latencyMs.p50)} ms, p99 ${fmtMs(s.latencyMs.p99)} ms (${fmtMs(s.latencySpread.p99.min)}–${fmtMs(s.latencySpread.p99.max)})${s.valid ? '' : ', INVALID: generator lag'}`;
    candidates.push({ name: d, p99: s.latencyMs.p99, min: s.latencySpread.p99.min, max: s.latencySpread.p99.max });
  }
  const top = [...candidates].sort((a, b) => a.p99 - b.p99)[0];
  const winners = candidates.length < 2 || top === undefined ? [] : candidates.filter((c) => c === top || c.min <= top.max).map((c) => c.name);
  return {
    id: 'latency',
    title: 'latency at equal load',
    rule: 'lowest p99 at the highest offered open-loop rate every design held (≥ 90% answered); designs whose per-repetition p99 range reaches the best one\'s highest tie with it',
    evidence,
    winners,
    winner: winnerText(winners, cells.length === 0 ? `${NOT_MEASURED} (no equal-load cells)` : NOT_MEASURED),
  };
}

/**
 * Reliability. Rule: the highest worst-case availability over the faults of the outage scenario, then fewest
 * hung requests, then fewest valid sessions lost; each failure policy of a design is a candidate of its own.
 * Without outage cells there is no winner: errors under normal load say little about Redis failing.
 */
function reliability(result: RunResult, designs: readonly string[]): VerdictRow {
  const outage = outageCellsOf(result).filter((c) => c.outage !== undefined);
  const evidence: Record<string, string> = {};
  const scored: Scored[] = [];
  for (const d of designs) {
    const cells = outage.filter((c) => c.strategy === d);
    if (cells.length === 0) {
      const load = loadCellsOf(result).filter((c) => c.strategy === d && c.summary !== undefined);
      const sum = (f: (s: NonNullable<LoadCell['summary']>) => number): number => load.reduce((n, c) => n + f(c.summary as NonNullable<LoadCell['summary']>), 0);
      evidence[d] = `no outage cells; under load: ${sum((s) => s.errors)} errors, ${sum((s) => s.timeouts)} timeouts, ${sum((s) => count5xx(s.statusCounts))} 5xx`;
      continue;
    }
    const policies = [...new Set(cells.map((c) => c.policy))];
    const parts = policies.map((policy) => {
      const mine = cells.filter((c) => c.policy === policy);
      const avail = mine.map((c) => `${c.fault} ${fmtPercent(c.outage?.availability, 1)}`).join(', ');
      const hung = mine.reduce((n, c) => n + (c.outage?.hungRequests ?? 0), 0);
      const lost = mine.reduce((n, c) => n + (c.outage?.sessionsLost ?? 0), 0);
      const unchecked = mine.reduce((n, c) => n + (c.outage?.uncheckedServed ?? 0), 0);
      const known = mine.map((c) => c.outage?.availability).filter((a): a is number => typeof a === 'number');
      if (known.length > 0) scored.push({ name: outageDesign(mine[0] as OutageCell), key: [-round(Math.min(...known), 3), hung, lost] });
      const extra = [hung > 0 ? `${hung} hung` : '', lost > 0 ? `${fmtInt(lost)} sessions lost` : '', unchecked > 0 ? `${fmtInt(unchecked)} served unchecked` : ''].filter((s) => s !== '');
      return `${policies.length > 1 ? `${policy}: ` : ''}available during ${avail}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
    });
    evidence[d] = parts.join('; ');
  }
  const winners = best(scored);
  return {
    id: 'reliability',
    title: 'reliability',
    rule: 'highest worst-case availability during the Redis faults (to 0.1%), then fewest hung requests, then fewest valid sessions lost; each failure policy competes on its own',
    evidence,
    winners,
    winner: winnerText(winners, outage.length === 0 ? `${NOT_MEASURED} (no outage scenario)` : NOT_MEASURED),
  };
}

/**
 * Scalability. Rule: the highest request rate the shared Redis allows the whole fleet — one single-threaded
 * Redis does at most 1e6 µs of work a second, so 1e6 / (Redis CPU µs per validate); unbounded for a design that
 * sends no Redis command — then the least server CPU per validate (more requests per added core).
 */
function scalability(result: RunResult, designs: readonly string[]): VerdictRow {
  const evidence: Record<string, string> = {};
  const scored: Scored[] = [];
  for (const d of designs) {
    const cell = loadCellOf(result, 'validate', d);
    const c = costOf(cell);
    if (c?.redisCommandsPerRequest === undefined || c.redisCpuUsPerRequest === undefined || c.serverCpuUsPerRequest === undefined) {
      const f = okSummary(cell)?.ceilingFraction;
      evidence[d] = f === undefined ? NOT_MEASURED : `validate at ${fmtPercent(f)} of the server's ceiling; Redis and CPU cost ${NOT_MEASURED}`;
      continue;
    }
    const stateless = round(c.redisCommandsPerRequest, 2) === 0;
    const fleetCap = stateless || c.redisCpuUsPerRequest <= 0 ? Infinity : 1e6 / c.redisCpuUsPerRequest;
    const redisText = stateless
      ? 'no shared store: servers are added without touching Redis'
      : `one Redis core caps all servers together at ≈ ${fmtInt(fleetCap)} validate/s (${c.redisCpuUsPerRequest.toFixed(1)} µs Redis CPU each)`;
    const serverText = c.serverCpuUsPerRequest > 0 ? `; ${c.serverCpuUsPerRequest.toFixed(0)} µs server CPU per validate (≈ ${fmtInt(1e6 / c.serverCpuUsPerRequest)}/s per core)` : '';
    evidence[d] = `${redisText}${serverText}`;
    scored.push({ name: d, key: [-(Number.isFinite(fleetCap) ? Number(fleetCap.toPrecision(2)) : Infinity), round(c.serverCpuUsPerRequest, 0)] });
  }
  const winners = best(scored);
  return {
    id: 'scalability',
    title: 'scalability',
    rule: 'highest fleet-wide rate one Redis allows (1e6 / Redis CPU µs per validate, to 2 significant digits; unbounded without Redis commands), then least server CPU per validate',
    evidence,
    winners,
    winner: winnerText(winners, NOT_MEASURED),
  };
}

/**
 * Logout semantics. Rule: the smallest share of logged-out tokens accepted in the revocation scenario, then the
 * fewest revoked tokens accepted before, during and after the Redis faults (fail-open cells left out: accepting
 * them during a fault is what fail-open means, and reliability counts those requests as served unchecked).
 */
function logoutSemantics(result: RunResult, designs: readonly string[]): VerdictRow {
  const evidence: Record<string, string> = {};
  const scored: Scored[] = [];
  for (const d of designs) {
    // The cell of the scenario that counts revoked tokens accepted (its expectation declares that answer).
    const s = okSummary(loadCellsOf(result).find((c) => c.strategy === d && c.summary?.revokedAccepted !== undefined));
    const accepted = s?.revokedAccepted;
    const share = accepted === undefined || s === undefined || s.responses === 0 ? undefined : accepted / s.responses;
    const outage = outageCellsOf(result).filter((c) => c.strategy === d && c.policy !== 'open' && c.outage !== undefined);
    const outageTotal = outage.reduce((n, c) => n + (c.outage ? c.outage.revokedAccepted.before + c.outage.revokedAccepted.during + c.outage.revokedAccepted.after : 0), 0);
    const parts: string[] = [];
    if (share !== undefined && s !== undefined) parts.push(`${fmtInt(accepted ?? 0)} of ${fmtInt(s.responses)} requests with a logged-out token accepted (${fmtPercent(share, 1)})`);
    if (outage.length > 0) {
      const by = outage.map((c) => `${c.fault} ${c.outage?.revokedAccepted.before}/${c.outage?.revokedAccepted.during}/${c.outage?.revokedAccepted.after}`).join(', ');
      parts.push(`revoked tokens accepted before/during/after a fault: ${by}`);
    }
    evidence[d] = parts.length === 0 ? NOT_MEASURED : parts.join('; ');
    if (parts.length > 0) scored.push({ name: d, key: [share === undefined ? Infinity : round(share, 4), outage.length === 0 ? Infinity : outageTotal] });
  }
  const winners = best(scored);
  return {
    id: 'logout',
    title: 'logout semantics',
    rule: 'smallest share of logged-out tokens accepted (revocation scenario), then fewest revoked tokens accepted around the Redis faults (fail-open cells left out)',
    evidence,
    winners,
    winner: winnerText(winners, NOT_MEASURED),
  };
}

/**
 * Revocation across servers. Rule: the shortest p99 time until every other instance refused a logged-out token
 * (propagation scenario; a design that still accepted it on some instance when the window closed ranks after every
 * design that did not), then fewest requests accepted after the logout.
 */
function propagationRow(result: RunResult, designs: readonly string[]): VerdictRow {
  const evidence: Record<string, string> = {};
  const scored: Scored[] = [];
  for (const d of designs) {
    const cells = (result.propagation ?? []).filter((c) => c.strategy === d && c.status === 'ok' && c.summary !== undefined);
    if (cells.length === 0) {
      evidence[d] = NOT_MEASURED;
      continue;
    }
    const keyOf = (s: PropagationSummary): number[] => [s.notRefusedInWindow > 0 ? 1 : 0, s.delayMs.p99 === null ? Infinity : round(s.delayMs.p99, 1), s.acceptedAfterAck];
    const parts = cells.map((c) => {
      const s = c.summary as PropagationSummary;
      const late = s.notRefusedInWindow > 0 ? `, still accepted ${(s.window.ms / 1000).toFixed(1)} s after ${s.notRefusedInWindow} of ${s.logouts - s.failed} logouts` : '';
      return `${c.loadRps > 0 ? `under ${fmtInt(c.loadRps)} req/s` : 'idle'}: refused everywhere after ${fmtMs(s.delayMs.p50)} ms (p50), ${fmtMs(s.delayMs.p99)} ms (p99), ${fmtInt(s.acceptedAfterAck)} requests accepted after a logout${late}`;
    });
    evidence[d] = parts.join('; ');
    // A design is scored by its worst cell (idle or under load).
    const worst = cells.map((c) => keyOf(c.summary as PropagationSummary)).sort(compareKeys).at(-1) as number[];
    scored.push({ name: d, key: worst });
  }
  const winners = best(scored);
  return {
    id: 'propagation',
    title: 'revocation across servers',
    rule: 'every instance refusing a logged-out token within the window, then the shortest p99 delay until the last one did (to 0.1 ms), then fewest requests accepted after the logout (propagation scenario; each design by its worse cell, idle or under load)',
    evidence,
    winners,
    winner: winnerText(winners, NOT_MEASURED),
  };
}

/** The verdict of one run: a row per trade-off, the evidence per design, and who wins it on this run. */
export function computeVerdict(result: RunResult): Verdict {
  const designs = designsOf(result);
  return {
    designs,
    rows: [statelessness, performance, latencyRow, reliability, scalability, logoutSemantics, propagationRow].map((row) => row(result, designs)),
  };
}
