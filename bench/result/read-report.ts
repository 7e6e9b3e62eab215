/**
 * Reading a result file for `authbench report`. Every refusal is an InvalidOptionError (exit code 2) whose
 * message names the file and says what is wrong with it.
 */
import { readFile } from 'node:fs/promises';
import { InvalidOptionError } from '../../lib/errors.js';
import { SCHEMA_VERSION, type RunResult } from './schema.js';

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

/**
 * Checks that parsed JSON is an authbench run result of a schema version this authbench reads, with the
 * fields a report needs. Pure; `name` is used in the messages only.
 */
export function checkResult(value: unknown, name: string): RunResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidOptionError(`${name}: not an authbench result: the JSON is ${kindOf(value)}, not an object`);
  }
  const o = value as Record<string, unknown>;
  if (o['tool'] !== 'authbench') {
    const found = o['tool'] === undefined ? 'it has no "tool" field' : `its "tool" is ${JSON.stringify(o['tool'])}`;
    throw new InvalidOptionError(`${name}: not an authbench result: ${found} (an authbench result has "tool": "authbench")`);
  }
  if (o['kind'] !== 'run') {
    throw new InvalidOptionError(`${name}: an authbench file of kind ${JSON.stringify(o['kind'])}, not a run result (kind "run"): only results of authbench run make a report`);
  }
  if (o['schemaVersion'] !== SCHEMA_VERSION) {
    throw new InvalidOptionError(
      `${name}: schemaVersion ${JSON.stringify(o['schemaVersion'])} is not one this authbench reads (it reads ${SCHEMA_VERSION}); make the report with the authbench version that wrote the file`,
    );
  }
  const need: [string, (v: unknown) => boolean, string][] = [
    ['environment', (v) => v !== null && typeof v === 'object', 'an object'],
    ['config', (v) => v !== null && typeof v === 'object', 'an object'],
    ['method', Array.isArray, 'an array'],
    ['cells', Array.isArray, 'an array'],
  ];
  for (const [field, ok, what] of need) {
    if (!ok(o[field])) throw new InvalidOptionError(`${name}: malformed authbench result: "${field}" must be ${what}, got ${kindOf(o[field])}`);
  }
  (o['cells'] as unknown[]).forEach((cell, i) => {
    const c = (cell ?? {}) as Record<string, unknown>;
    if (typeof c['scenario'] !== 'string' || typeof c['strategy'] !== 'string' || !Array.isArray(c['errors'])) {
      throw new InvalidOptionError(`${name}: malformed authbench result: cells[${i}] lacks "scenario", "strategy" or "errors"`);
    }
  });
  return value as RunResult;
}

/** Parses result JSON text; a file cut short (interrupted copy, full disk) is told apart from other bad JSON. */
export function parseResult(text: string, name: string): RunResult {
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
  return checkResult(value, name);
}

/** Reads and checks one result file. */
export async function loadResult(path: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a result file' : code === 'EACCES' ? 'permission denied' : String((err as Error).message);
    throw new InvalidOptionError(`${path}: cannot read the result: ${why}`);
  }
  return parseResult(text, path);
}
