/**
 * The one reader of result files (`authbench report`, `compare`, `ci`, `sweep`, and the test fixtures): it checks
 * that a file is an authbench run result of a schema version this authbench reads, upgrades a version 1 file to
 * the current shape, and says exactly what is wrong otherwise. Every refusal is an InvalidOptionError (exit 2)
 * whose message names the file.
 */
import { readFile } from 'node:fs/promises';
import { InvalidOptionError } from '../../lib/errors.js';
import { designOf, isDesignName } from '../../servers/designs/index.js';
import { SCHEMA_VERSION, type DesignRecord, type RunResult } from './schema.js';

/** The schema versions this authbench reads: the current one, and 1 (upgraded as it is read). */
export const READABLE_VERSIONS: readonly number[] = [1, SCHEMA_VERSION];

export interface ReadOptions {
  /**
   * The CI gate's reading: only a complete run, with the load options and the per-repetition figures it compares,
   * and a ceiling to divide by.
   */
  readonly forComparison?: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

function envelopeProblem(o: unknown): string | undefined {
  if (!isObject(o)) return `not an authbench result: the JSON is ${kindOf(o)}, not an object`;
  if (o['tool'] !== 'authbench') {
    const found = o['tool'] === undefined ? 'it has no "tool" field' : `its "tool" is ${JSON.stringify(o['tool'])}`;
    return `not an authbench result: ${found} (an authbench result has "tool": "authbench")`;
  }
  if (o['kind'] !== 'run') return `an authbench file of kind ${JSON.stringify(o['kind'])}, not a run result (kind "run"): only results of authbench run are read here`;
  if (!READABLE_VERSIONS.includes(o['schemaVersion'] as number)) {
    return `schemaVersion ${JSON.stringify(o['schemaVersion'])} is not one this authbench reads (it reads ${READABLE_VERSIONS.join(' and ')}); use the authbench version that wrote the file`;
  }
  const need: [string, (v: unknown) => boolean, string][] = [
    ['environment', isObject, 'an object'],
    ['config', isObject, 'an object'],
    ['method', Array.isArray, 'an array'],
    ['cells', Array.isArray, 'an array'],
  ];
  for (const [field, ok, what] of need) if (!ok(o[field])) return `malformed authbench result: "${field}" must be ${what}, got ${kindOf(o[field])}`;
  for (const [i, cell] of (o['cells'] as unknown[]).entries()) {
    const c = isObject(cell) ? cell : {};
    if (typeof c['scenario'] !== 'string' || typeof c['strategy'] !== 'string' || !Array.isArray(c['errors'])) return `malformed authbench result: cells[${i}] lacks "scenario", "strategy" or "errors"`;
  }
  return undefined;
}

function comparisonProblem(o: Json, cells: readonly Json[]): string | undefined {
  if (o['status'] !== 'complete') return `the run is not complete (status: ${JSON.stringify(o['status'] ?? null)})`;
  const config = o['config'] as Json;
  if (!Array.isArray(config['serverArgs']) || typeof config['connections'] !== 'number') return 'config lacks the load options';
  for (const cell of cells) {
    if (cell['kind'] === 'outage') continue;
    const name = `${String(cell['scenario'])} × ${String(cell['strategy'])}`;
    if (!Array.isArray(cell['repetitions'])) return `${name}: a load cell without repetitions`;
    for (const rep of cell['repetitions'] as unknown[]) {
      if (!isObject(rep) || typeof rep['index'] !== 'number') return `${name}: a repetition without an index`;
      if (rep['status'] !== 'ok') continue;
      const m = rep['measurement'];
      if (typeof rep['requestsPerSec'] !== 'number' || !isObject(m) || !isObject(m['latencyMs']) || typeof m['latencyMs']['p99'] !== 'number') {
        return `${name}: repetition ${rep['index'] + 1} lacks requestsPerSec or measurement.latencyMs.p99`;
      }
    }
  }
  if (!cells.some((c) => c['kind'] === 'ceiling')) return 'no ceiling cells to divide by';
  return undefined;
}

/**
 * A version 1 decomposition verified with jose and could not split the verify: its whole cost becomes the library
 * part of a jose row, and the floor and the thread-pool hop are unknown.
 */
function upgradeDecomposition(d: unknown): unknown {
  if (!isObject(d) || !Array.isArray(d['rows'])) return d;
  const parts = isObject(d['parts']) ? d['parts'] : {};
  return {
    ...d,
    parts: { jwt: {}, redisCommandCpuUs: parts['redisCommandCpuUs'], redisRoundTripUs: parts['redisRoundTripUs'] },
    rows: (d['rows'] as unknown[]).map((r) => {
      if (!isObject(r)) return r;
      const { strategy, measuredUs, frameworkUs, cryptoUs, redisUs, restUs, redisRoundTripUs, ...rest } = r;
      const jwt = typeof cryptoUs === 'number';
      // In the order of the parts (a chart stacks them so).
      return { strategy, ...(jwt ? { jwtImpl: 'jose' } : {}), measuredUs, frameworkUs, cryptoFloorUs: null, threadPoolUs: null, jwtLibraryUs: jwt ? cryptoUs : null, redisUs, restUs, redisRoundTripUs, ...rest };
    }),
  };
}

/**
 * Version 1 had no `kind` on cells (the scenario said it: `ceiling`, `outage`, else a load cell), gave outage cells an
 * empty `repetitions`, recorded no design traits (its designs were the built-in three, whose traits have not
 * changed), verified JWTs with jose only, and decomposed the verify as one part. Pure: returns a new object.
 */
export function upgradeResult(o: Json): Json {
  if (o['schemaVersion'] !== 1) return o;
  const cells = (o['cells'] as Json[]).map((c): Json => {
    const kind = c['scenario'] === 'outage' ? 'outage' : c['scenario'] === 'ceiling' ? 'ceiling' : 'load';
    const { repetitions, ...rest } = c;
    return kind === 'outage' ? { kind, ...rest, policy: rest['policy'] ?? 'none' } : { kind, ...rest, repetitions: repetitions ?? [] };
  });
  const names = [...new Set([...((o['config'] as Json)['strategies'] as string[] | undefined ?? []), ...cells.map((c) => c['strategy'] as string)])];
  const designs: Record<string, DesignRecord> = Object.fromEntries(names.filter(isDesignName).map((n) => [n, { summary: designOf(n).summary, traits: designOf(n).traits }]));
  const config = { jwtImpls: ['jose'], jwtCache: 0, ...(o['config'] as Json) };
  const decomposition = o['decomposition'] === undefined ? {} : { decomposition: upgradeDecomposition(o['decomposition']) };
  return { ...o, schemaVersion: SCHEMA_VERSION, config, cells, designs, ...decomposition, upgradedFrom: 1 };
}

/** What is wrong with parsed JSON as a run result, or undefined when it is fine. Pure. */
export function resultProblem(data: unknown, options: ReadOptions = {}): string | undefined {
  const problem = envelopeProblem(data);
  if (problem !== undefined || options.forComparison !== true) return problem;
  const upgraded = upgradeResult(data as Json);
  return comparisonProblem(upgraded, upgraded['cells'] as Json[]);
}

/** Checks parsed JSON (see resultProblem) and returns it as a current-version result; `name` is used in messages only. */
export function checkResult(data: unknown, name: string, options: ReadOptions = {}): RunResult {
  const problem = resultProblem(data, options);
  if (problem !== undefined) throw new InvalidOptionError(`${name}: ${problem}`);
  return upgradeResult(data as Json) as unknown as RunResult;
}

/** Parses result JSON text; a file cut short (an interrupted copy, a full disk) is told apart from other bad JSON. */
export function parseResult(text: string, name: string, options: ReadOptions = {}): RunResult {
  if (text.trim() === '') throw new InvalidOptionError(`${name}: the file is empty, not a result JSON`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    // The parser stopped at the very end of the text: the JSON was cut short, not mistyped.
    const at = /at position (\d+)/.exec(why)?.[1];
    const truncated = /end of JSON input/i.test(why) || (at !== undefined && Number(at) >= text.trimEnd().length);
    throw new InvalidOptionError(`${name}: ${truncated ? 'the JSON ends early (a truncated file?)' : 'not valid JSON'}: ${why}`);
  }
  return checkResult(value, name, options);
}

/**
 * Reads and checks one result file. `role` (baseline, current) goes before the path in messages. Refused: a missing
 * or unreadable file, a directory, JSON that is empty, cut short or wrong, another tool's JSON, another kind of
 * authbench file, an unknown schema version, a malformed result; for comparison also an unfinished run.
 */
export async function readResult(path: string, options: ReadOptions & { readonly role?: string } = {}): Promise<RunResult> {
  const name = options.role === undefined ? path : `${options.role} ${path}`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a result file' : code === 'EACCES' ? 'permission denied' : String((err as Error).message);
    throw new InvalidOptionError(`${name}: cannot read the result: ${why}`);
  }
  return parseResult(text, name, options);
}
