/**
 * The Artillery processor of an exported scenario: each Artillery worker plans the scenario once, with authbench's
 * own definition (scenarios/*.ts `plan`), before its first virtual user, and its hooks run that plan's requests:
 * `setupRequest` fills each request (token, body) and `onResponse` reads each answer (a body checked against the
 * token's user, a session's tokens), exactly as under autocannon. A virtual user plays the part of an autocannon
 * connection running the request sequence once.
 */
import type autocannon from 'autocannon';
import { scenarios, type LoadScenarioName } from '../../scenarios/index.js';
import type { LoadPlan } from '../../scenarios/scenario.js';
import type { DesignTraits } from '../../servers/design.js';
import { fetchTokenSource } from './token-source.js';

/** What a generated processor file passes to createProcessor (written by the export as JSON). */
export interface ProcessorSettings {
  readonly scenario: LoadScenarioName;
  readonly design: string;
  /** The design's traits, carried here so that the processor never loads the servers' code. */
  readonly traits: DesignTraits;
  readonly target: string;
  readonly users: number;
  readonly poolSize: number;
  /** The offered rate the script was exported for, req/s (recorded in the report's counters). */
  readonly rps: number;
}

/**
 * Counters the processor adds to Artillery's report (read back by the import). `meta.*` are counted once per worker
 * and carry a value in their name, since a report holds numbers only.
 */
export const COUNTERS = {
  correct: 'authbench.correct',
  wrong: 'authbench.wrong',
  contentChecked: 'authbench.content.checked',
  contentMismatches: 'authbench.content.mismatches',
  sessions: 'authbench.sessions',
  refreshes: 'authbench.refreshes',
  refreshesFailed: 'authbench.refreshes_failed',
  workers: 'authbench.meta.workers',
  design: 'authbench.meta.design.',
  scenario: 'authbench.meta.scenario.',
  rps: 'authbench.meta.rps.',
  target: 'authbench.meta.target.',
} as const;

/** The part of Artillery's request parameters a hook changes (got's options). */
export interface ArtilleryRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  json?: unknown;
}

interface ArtilleryContext {
  vars: Record<string, unknown>;
}

interface ArtilleryEvents {
  emit(kind: 'counter', name: string, value: number): void;
}

/** A virtual user's place in the request sequence, and the per-connection context autocannon would keep. */
interface VirtualUser {
  step: number;
  current: autocannon.Request | undefined;
  context: Record<string, unknown>;
}

export interface Processor {
  authbenchBeforeRequest(req: ArtilleryRequest, context: ArtilleryContext, events: ArtilleryEvents): Promise<void>;
  authbenchAfterResponse(req: ArtilleryRequest, res: { statusCode: number; body?: unknown }, context: ArtilleryContext, events: ArtilleryEvents): Promise<void>;
}

/** Plans the scenario (issuing and revoking its token pool on the target) and returns the two hooks the script names. */
export async function createProcessor(settings: ProcessorSettings): Promise<Processor> {
  const scenario = scenarios[settings.scenario];
  if (scenario.kind !== 'load') throw new Error(`${settings.scenario} is not a load scenario`);
  const plan: LoadPlan = await scenario.plan({
    traits: settings.traits,
    tokens: fetchTokenSource(settings.target, settings.users, 32),
    users: settings.users,
    poolSize: settings.poolSize,
    phase: 'measure',
  });
  const expect = scenario.expect(settings.traits);
  // Shared by the worker's virtual users, as the plan's counts are shared by autocannon's connections: each
  // response adds what it changed.
  const emitted = { checked: 0, mismatches: 0, sessions: 0, refreshes: 0, refreshesFailed: 0 };
  let announced = false;
  const vuOf = (context: ArtilleryContext): VirtualUser => {
    const existing = context.vars['authbench'] as VirtualUser | undefined;
    if (existing !== undefined) return existing;
    const vu: VirtualUser = { step: 0, current: undefined, context: {} };
    context.vars['authbench'] = vu;
    return vu;
  };
  const emitDelta = (events: ArtilleryEvents, name: string, key: keyof typeof emitted, now: number | undefined): number => {
    if (now === undefined) return 0;
    const delta = now - emitted[key];
    emitted[key] = now;
    if (delta !== 0) events.emit('counter', name, delta);
    return delta;
  };
  return {
    async authbenchBeforeRequest(req, context, events) {
      if (!announced) {
        announced = true;
        events.emit('counter', COUNTERS.workers, 1);
        events.emit('counter', `${COUNTERS.design}${settings.design}`, 1);
        events.emit('counter', `${COUNTERS.scenario}${settings.scenario}`, 1);
        events.emit('counter', `${COUNTERS.rps}${settings.rps}`, 1);
        events.emit('counter', `${COUNTERS.target}${settings.target}`, 1);
      }
      const vu = vuOf(context);
      const step = plan.requests[vu.step % plan.requests.length] as autocannon.Request;
      vu.step++;
      vu.current = step;
      const base: autocannon.Request = { method: step.method ?? 'GET', path: step.path ?? '/', ...(step.headers === undefined ? {} : { headers: step.headers }), ...(step.body === undefined ? {} : { body: step.body }) };
      // authbench's scenarios give functions here (autocannon also takes a module path, which they never use).
      const setup = typeof step.setupRequest === 'function' ? step.setupRequest : undefined;
      const filled = (setup === undefined ? base : setup(base, vu.context)) as autocannon.Request | undefined;
      // autocannon restarts the sequence when a step has nothing to send (a session whose login failed); a virtual
      // user ends instead, counted by Artillery as failed.
      if (filled === undefined) throw new Error(`authbench: nothing to send for ${step.method ?? 'GET'} ${step.path ?? '/'} (no token: the session's login failed)`);
      req.method = filled.method ?? 'GET';
      req.url = new URL(filled.path ?? '/', settings.target).href;
      req.headers = { ...req.headers, ...(filled.headers as Record<string, string> | undefined) };
      delete req.json;
      if (typeof filled.body === 'string') req.body = filled.body;
      else delete req.body;
    },
    async authbenchAfterResponse(_req, res, context, events) {
      const vu = vuOf(context);
      const body = typeof res.body === 'string' ? res.body : Buffer.isBuffer(res.body) ? res.body.toString('utf8') : '';
      (vu.current?.onResponse as ((status: number, body: string, context: unknown) => void) | undefined)?.(res.statusCode, body, vu.context);
      const mismatched = emitDelta(events, COUNTERS.contentMismatches, 'mismatches', plan.content?.mismatches);
      emitDelta(events, COUNTERS.contentChecked, 'checked', plan.content?.checked);
      emitDelta(events, COUNTERS.sessions, 'sessions', plan.sessions?.sessions);
      emitDelta(events, COUNTERS.refreshes, 'refreshes', plan.sessions?.refreshes);
      emitDelta(events, COUNTERS.refreshesFailed, 'refreshesFailed', plan.sessions?.refreshesFailed);
      // Both counters always appear (a count of 0 included), so that the script's `ensure` conditions can name them.
      const correct = expect.ok.includes(res.statusCode) && mismatched === 0;
      events.emit('counter', COUNTERS.correct, correct ? 1 : 0);
      events.emit('counter', COUNTERS.wrong, expect.wrong.includes(res.statusCode) || mismatched > 0 ? 1 : 0);
    },
  };
}
