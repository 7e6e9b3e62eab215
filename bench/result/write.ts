import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RunResult } from './schema.js';

async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** Writes the result JSON to DIR/result.json (and to --json FILE), replacing the previous version atomically. */
export async function writeResult(result: RunResult, outDir: string, jsonFile: string | undefined): Promise<string> {
  const text = `${JSON.stringify(result, null, 2)}\n`;
  const path = join(outDir, 'result.json');
  await writeAtomic(path, text);
  if (jsonFile !== undefined && jsonFile !== '-') await writeAtomic(jsonFile, text);
  return path;
}

export async function writeText(outDir: string, name: string, text: string): Promise<string> {
  const path = join(outDir, name);
  await writeAtomic(path, text);
  return path;
}

/** Writes any JSON-serialisable value to `path`, replacing the previous version atomically. */
export async function writeAtomicJson(path: string, value: unknown): Promise<void> {
  await writeAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
