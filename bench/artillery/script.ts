/**
 * An Artillery script for one authbench scenario, built from the registry (scenarios/index.ts): its name and summary,
 * its request sequence (read from the scenario's own plan, run dry), its token pool and its expectations. Pure but
 * for that dry plan, which makes no request.
 */
import { LOAD_SCENARIO_NAMES, scenarios, type LoadScenarioName } from '../../scenarios/index.js';
import type { IssuedToken, TokenSource } from '../../scenarios/scenario.js';
import type { DesignTraits } from '../../servers/design.js';
import type { Budget } from './budget.js';
import type { ProcessorSettings } from './processor.js';
import { ARTILLERY_VERSION } from './version.js';

/** The scenarios an Artillery script can carry: the load scenarios (outage and propagation start processes and faults of their own). */
export const EXPORTABLE_SCENARIOS: readonly LoadScenarioName[] = LOAD_SCENARIO_NAMES;

export interface ScriptOptions {
  readonly target: string;
  readonly design: string;
  readonly traits: DesignTraits;
  /** Offered requests per second (a session's requests all count, as in authbench's paced sessions). */
  readonly rps: number;
  readonly durationSec: number;
  /** Seeded users on the server (its --users). */
  readonly users: number;
  /** Pool sizes of the pools that are cycled (validate, revocation), as `run` uses them. */
  readonly pools: { readonly validate: number; readonly revocation: number };
  readonly timeoutSec: number;
  readonly budget: Budget;
}

/** One step of the request sequence, as the script's flow shows it. */
export interface SequenceStep {
  readonly method: string;
  readonly path: string;
}

export interface ArtilleryScript {
  readonly config: Record<string, unknown>;
  readonly scenarios: readonly { readonly name: string; readonly flow: readonly Record<string, unknown>[] }[];
}

/** The hooks every request of an exported flow runs (bench/artillery/processor.ts). */
export const HOOKS = { beforeRequest: 'authbenchBeforeRequest', afterResponse: 'authbenchAfterResponse' } as const;

/** Tokens that are never sent: the dry plan only reveals the request sequence. */
const dryTokens: TokenSource = {
  issueNamed: async (n) => Array.from({ length: n }, (_, i): IssuedToken => ({ token: `dry-${i}`, username: `user${i}` })),
  issue: async (n) => Array.from({ length: n }, (_, i) => `dry-${i}`),
  revoke: async () => {},
};

/** The requests one virtual user sends, in order: the scenario's plan, made without a server. */
export async function requestSequence(name: LoadScenarioName, traits: DesignTraits): Promise<SequenceStep[]> {
  const plan = await scenarios[name].plan({ traits, tokens: dryTokens, users: 1, poolSize: 1, phase: 'measure' });
  return plan.requests.map((r) => ({ method: (r.method ?? 'GET').toUpperCase(), path: r.path ?? '/' }));
}

/**
 * Artillery's arrival phase for `rps` requests per second when each virtual user sends `perUser`: `arrivalRate` when
 * that is a whole number of users per second (Artillery refuses fractions), else `arrivalCount` over the duration.
 */
export function arrivalPhase(name: string, rps: number, perUser: number, durationSec: number): Record<string, number | string> {
  const perSec = rps / perUser;
  const label = `${name} at ${rps} req/s`;
  if (Number.isInteger(perSec)) return { name: label, duration: durationSec, arrivalRate: perSec };
  return { name: label, duration: durationSec, arrivalCount: Math.max(1, Math.round(perSec * durationSec)) };
}

/** `ensure` of a budget: Artillery fails the run (exit 1) past either limit. */
export function ensureOf(budget: Budget): Record<string, unknown> | undefined {
  if (budget.p99Ms === undefined && budget.errorRate === undefined) return undefined;
  return {
    ...(budget.p99Ms === undefined ? {} : { thresholds: [{ 'http.response_time.p99': budget.p99Ms }] }),
    ...(budget.errorRate === undefined ? {} : { conditions: [{ expression: `(http.requests - authbench.correct) / http.requests <= ${budget.errorRate}`, strict: true }] }),
  };
}

/** The script of one scenario and the settings its processor plans with. */
export async function buildScript(name: LoadScenarioName, processorFile: string, options: ScriptOptions): Promise<{ script: ArtilleryScript; settings: ProcessorSettings; sequence: SequenceStep[] }> {
  const scenario = scenarios[name];
  const sequence = await requestSequence(name, options.traits);
  const phase = arrivalPhase(name, options.rps, sequence.length, options.durationSec);
  const arrivals = typeof phase['arrivalRate'] === 'number' ? phase['arrivalRate'] * options.durationSec : Number(phase['arrivalCount']);
  // A consumed pool (logout) must hold a token per virtual user: Artillery cannot stop a phase after N requests.
  const poolSize = scenario.pool === undefined ? 0 : scenario.pool.consumed ? Math.ceil(arrivals * 1.1) + 10 : options.pools[scenario.pool.name as 'validate' | 'revocation'];
  const settings: ProcessorSettings = { scenario: name, design: options.design, traits: options.traits, target: options.target, users: options.users, poolSize, rps: options.rps };
  const ensure = ensureOf(options.budget);
  const expectation = scenario.expect(options.traits);
  const config: Record<string, unknown> = {
    target: options.target,
    processor: `./${processorFile}`,
    phases: [phase],
    http: { timeout: options.timeoutSec },
    // Artillery loads its ensure plugin only when the script names it.
    ...(ensure === undefined ? {} : { ensure, plugins: { ensure: {} } }),
    'x-authbench': {
      scenario: name,
      summary: scenario.summary,
      design: options.design,
      offeredRps: options.rps,
      requestsPerVirtualUser: sequence.length,
      ...(scenario.pool === undefined ? {} : { pool: { ...scenario.pool, size: poolSize } }),
      expect: expectation,
      artillery: ARTILLERY_VERSION,
    },
  };
  const flow = sequence.map((s) => ({ [s.method.toLowerCase()]: { url: s.path, beforeRequest: HOOKS.beforeRequest, afterResponse: HOOKS.afterResponse } }));
  return { script: { config, scenarios: [{ name, flow }] }, settings, sequence };
}
