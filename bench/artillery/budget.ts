import { readFile } from 'node:fs/promises';
import { InvalidOptionError } from '../../lib/errors.js';

/** What an exported script asserts with Artillery's `ensure`: a p99 ceiling and a share of requests not answered correctly. */
export interface Budget {
  /** http.response_time.p99 must stay under this, ms. */
  readonly p99Ms?: number;
  /** (requests − correct answers) ÷ requests must stay under this fraction. */
  readonly errorRate?: number;
}

/**
 * A budget file: JSON with a budget per scenario name and an optional `default` for the others, e.g.
 * `{ "default": { "errorRate": 0.001 }, "validate": { "p99Ms": 20 } }`. Refusals name the file and the key.
 */
export function parseBudgets(text: string, name: string): Record<string, Budget> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InvalidOptionError(`${name}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new InvalidOptionError(`${name}: a budget file is a JSON object of scenario names (or "default") to { "p99Ms", "errorRate" }`);
  const out: Record<string, Budget> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const unknown = Object.keys(v).filter((k) => k !== 'p99Ms' && k !== 'errorRate');
    if (typeof value !== 'object' || value === null || unknown.length > 0) throw new InvalidOptionError(`${name}: "${key}" must be an object with p99Ms and/or errorRate${unknown.length > 0 ? `, got ${unknown.join(', ')}` : ''}`);
    const p99 = v['p99Ms'];
    const rate = v['errorRate'];
    if (p99 !== undefined && !(typeof p99 === 'number' && p99 > 0)) throw new InvalidOptionError(`${name}: "${key}".p99Ms must be a number of ms > 0, got ${JSON.stringify(p99)}`);
    if (rate !== undefined && !(typeof rate === 'number' && rate >= 0 && rate < 1)) throw new InvalidOptionError(`${name}: "${key}".errorRate must be a fraction >= 0 and < 1, got ${JSON.stringify(rate)}`);
    out[key] = { ...(p99 === undefined ? {} : { p99Ms: p99 }), ...(rate === undefined ? {} : { errorRate: rate }) };
  }
  return out;
}

export async function readBudgets(path: string): Promise<Record<string, Budget>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidOptionError(`--budget ${path}: cannot read it: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseBudgets(text, `--budget ${path}`);
}

/** A scenario's budget: the file's entry for it over its `default`, and the flags over both. */
export function budgetFor(scenario: string, file: Record<string, Budget>, flags: Budget): Budget {
  return { ...file['default'], ...file[scenario], ...flags };
}
