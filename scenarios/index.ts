import { ceiling } from './ceiling.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { outage } from './outage.js';
import { propagation } from './propagation.js';
import { revocation } from './revocation.js';
import type { OutageScenario, PropagationScenario, Scenario } from './scenario.js';
import { session } from './session.js';
import { validate } from './validate.js';

/** The registry: one line per scenario file in this folder (a test checks they agree). */
export const scenarios = {
  ceiling,
  login,
  validate,
  logout,
  revocation,
  session,
  outage,
  propagation,
} as const satisfies Record<string, Scenario | OutageScenario | PropagationScenario>;

export type ScenarioName = keyof typeof scenarios;
export const SCENARIO_NAMES = Object.keys(scenarios) as ScenarioName[];
export type LoadScenarioName = { [K in ScenarioName]: (typeof scenarios)[K] extends Scenario ? K : never }[ScenarioName];

/** The throughput scenarios; the ceiling among them is always measured, first, since every ratio needs it. */
export const LOAD_SCENARIO_NAMES = SCENARIO_NAMES.filter((n): n is LoadScenarioName => scenarios[n].kind === 'load');
/**
 * The load scenarios but the ceiling. What `run` measures without --scenarios is a subset (bench/run/config.ts
 * DEFAULT_SCENARIOS); the outage scenario (about 25 s per design and fault) is asked for by name
 * (`--scenarios outage`, `npm run bench:outage`) or with `--scenarios all`.
 */
export const LOAD_SCENARIOS = LOAD_SCENARIO_NAMES.filter((n) => scenarios[n].ceiling !== true);

/** The calibration scenario (the one that declares `ceiling`): every other figure is divided by it. */
export const CEILING_SCENARIO: LoadScenarioName = (() => {
  const found = LOAD_SCENARIO_NAMES.filter((n) => scenarios[n].ceiling === true);
  if (found.length !== 1) throw new Error(`exactly one scenario must declare ceiling, found ${found.length}`);
  return found[0] as LoadScenarioName;
})();

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(scenarios, name);
}

export function isLoadScenario(name: ScenarioName): name is LoadScenarioName {
  return scenarios[name].kind === 'load';
}

export type OutageScenarioName = { [K in ScenarioName]: (typeof scenarios)[K] extends OutageScenario ? K : never }[ScenarioName];
export type PropagationScenarioName = { [K in ScenarioName]: (typeof scenarios)[K] extends PropagationScenario ? K : never }[ScenarioName];

export function isOutageScenario(name: ScenarioName): name is OutageScenarioName {
  return scenarios[name].kind === 'outage';
}

export function isPropagationScenario(name: ScenarioName): name is PropagationScenarioName {
  return scenarios[name].kind === 'propagation';
}
