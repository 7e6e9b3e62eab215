import { readFile } from 'node:fs/promises';
import { InvalidOptionError } from '../../lib/errors.js';
import { SCHEMA_VERSION, type RunResult } from './schema.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks that parsed JSON is a complete authbench run result this version can read, and says what is wrong
 * otherwise (undefined when it is fine). Only the fields the comparison reads are checked in depth.
 */
export function resultProblem(data: unknown): string | undefined {
  if (!isObject(data)) return 'not a JSON object';
  if (data['tool'] !== 'authbench') return `not an authbench result (tool: ${JSON.stringify(data['tool'] ?? null)})`;
  if (data['kind'] !== 'run') return `not a run result (kind: ${JSON.stringify(data['kind'] ?? null)})`;
  if (data['schemaVersion'] !== SCHEMA_VERSION) return `schemaVersion ${JSON.stringify(data['schemaVersion'] ?? null)}, this authbench reads ${SCHEMA_VERSION} only`;
  if (data['status'] !== 'complete') return `the run is not complete (status: ${JSON.stringify(data['status'] ?? null)})`;
  if (!isObject(data['environment']) || !isObject(data['config'])) return 'no environment or config recorded';
  const config = data['config'];
  if (!Array.isArray(config['serverArgs']) || typeof config['connections'] !== 'number') return 'config lacks the load options';
  if (!Array.isArray(data['cells'])) return 'no cells';
  for (const cell of data['cells'] as unknown[]) {
    if (!isObject(cell) || typeof cell['scenario'] !== 'string' || typeof cell['strategy'] !== 'string' || !Array.isArray(cell['repetitions'])) return 'a cell without scenario, strategy or repetitions';
    for (const rep of cell['repetitions'] as unknown[]) {
      if (!isObject(rep) || typeof rep['index'] !== 'number') return `${cell['scenario']} × ${cell['strategy']}: a repetition without an index`;
      if (rep['status'] !== 'ok') continue;
      const m = rep['measurement'];
      if (typeof rep['requestsPerSec'] !== 'number' || !isObject(m) || !isObject(m['latencyMs']) || typeof m['latencyMs']['p99'] !== 'number') {
        return `${cell['scenario']} × ${cell['strategy']}: repetition ${rep['index'] + 1} lacks requestsPerSec or measurement.latencyMs.p99`;
      }
    }
  }
  if (!(data['cells'] as Record<string, unknown>[]).some((c) => c['scenario'] === 'ceiling')) return 'no ceiling cells to divide by';
  return undefined;
}

/**
 * Reads a result file for comparison. Throws InvalidOptionError (exit 2) naming the file and the reason:
 * missing, unreadable, not JSON (a truncated file), another tool's JSON, an unknown schema, an unfinished run.
 */
export async function readRunResult(path: string, role: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InvalidOptionError(`${role} ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(err)})`}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new InvalidOptionError(`${role} ${path}: not valid JSON${text.trim() === '' ? ' (empty file)' : ' (truncated?)'}: ${why}`);
  }
  const problem = resultProblem(data);
  if (problem !== undefined) throw new InvalidOptionError(`${role} ${path}: ${problem}`);
  return data as RunResult;
}
