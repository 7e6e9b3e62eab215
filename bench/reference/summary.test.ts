import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Spread } from '../../lib/stats.js';
import type { ReferenceCell, ReferenceSubject, Route, SubjectName } from './compare.js';
import { summariseReference } from './summary.js';

const subject = (name: SubjectName): ReferenceSubject => ({ name, label: name, command: '', tokenLength: 250, tokenFrom: 'authbench-jwt' });
const SUBJECTS = [subject('authbench-jwt'), subject('authbench-jwt-jose'), subject('fastify-jwt')];

function cell(round: number, name: SubjectName, route: Route, rps: number, non2xx = 0): ReferenceCell {
  const requests = rps * 10;
  return { round, position: 0, subject: name, route, wrk: { requests, seconds: 10, requestsPerSec: rps, non2xx, socketErrors: 0 }, serverCpuSec: requests * 20e-6 };
}

/** Two rounds: the reference at 40k/20k then 50k/20k; authbench at 40k/16k then 40k/18k. */
const CELLS: ReferenceCell[] = [
  cell(0, 'fastify-jwt', 'health', 40_000),
  cell(0, 'fastify-jwt', 'me', 20_000),
  cell(0, 'authbench-jwt', 'health', 40_000),
  cell(0, 'authbench-jwt', 'me', 16_000),
  cell(1, 'fastify-jwt', 'health', 50_000),
  cell(1, 'fastify-jwt', 'me', 20_000),
  cell(1, 'authbench-jwt', 'health', 40_000),
  cell(1, 'authbench-jwt', 'me', 18_000),
];

/** Rounded to 9 decimals: the ratios are exact in decimal, not in binary. */
const approx = (s: Spread | undefined): Spread | undefined =>
  s === undefined ? undefined : { median: Number(s.median.toFixed(9)), min: Number(s.min.toFixed(9)), max: Number(s.max.toFixed(9)) };

describe('summariseReference', () => {
  const summary = summariseReference({ subjects: SUBJECTS, cells: CELLS });
  const of = (name: SubjectName) => summary.subjects.find((s) => s.subject === name);

  it('divides each /me rate by the /health rate of the same server and round', () => {
    assert.deepEqual(approx(of('fastify-jwt')?.fraction), { median: 0.45, min: 0.4, max: 0.5 });
    assert.deepEqual(approx(of('authbench-jwt')?.fraction), { median: 0.425, min: 0.4, max: 0.45 });
  });

  it('divides each authbench server by the reference round by round, for /me and for /me ÷ /health', () => {
    const versus = summary.versus.find((v) => v.subject === 'authbench-jwt');
    assert.deepEqual(approx(versus?.meRps), { median: 0.85, min: 0.8, max: 0.9 });
    // Round 0: 0.4 / 0.5 = 0.8; round 1: 0.45 / 0.4 = 1.125.
    assert.deepEqual(approx(versus?.fraction), { median: 0.9625, min: 0.8, max: 1.125 });
  });

  it('gives CPU µs per request from the server CPU time and the request count', () => {
    assert.deepEqual(approx(of('authbench-jwt')?.meCpuUs), { median: 20, min: 20, max: 20 });
  });

  it('leaves a server without cells with no figures rather than zeros', () => {
    assert.ok(Number.isNaN(of('authbench-jwt-jose')?.meRps.median));
    assert.ok(Number.isNaN(summary.versus.find((v) => v.subject === 'authbench-jwt-jose')?.meRps.min));
  });

  it('names the cells that counted non-2xx answers', () => {
    const suspect = summariseReference({ subjects: SUBJECTS, cells: [...CELLS, cell(2, 'fastify-jwt', 'me', 90_000, 12)] });
    assert.deepEqual(suspect.problems, ['round 3, fastify-jwt GET /me: 12 non-2xx answers, 0 socket errors']);
  });
});
