import { ceiling } from './ceiling.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { revocation } from './revocation.js';
import type { Scenario } from './scenario.js';
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
} as const satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof scenarios;
export const SCENARIO_NAMES = Object.keys(scenarios) as ScenarioName[];
/** Scenarios run by default; the ceiling is always measured, first, since every ratio needs it. */
export const LOAD_SCENARIOS = SCENARIO_NAMES.filter((n) => n !== 'ceiling');

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(scenarios, name);
}
