import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseResult } from '../bench/result/read.js';
import type { RunResult } from '../bench/result/schema.js';

/**
 * Real result files, trimmed, for the report tests: a full default run (sample-run), an outage run (kill, stop,
 * flush at 200 req/s; timeline health fields left out), two --quick runs with --jwt-alg RS256 and ES256 that
 * carry summary.cost, and a --quick validate run with --jwt-alg EdDSA that carries a decomposition. tsc does not copy JSON, so the path points from dist/test-support/ back to the sources.
 */
export const FIXTURES_DIR = fileURLToPath(new URL('../../test-support/fixtures/', import.meta.url));

export type FixtureName = 'sample-run' | 'outage-run' | 'alg-rs256' | 'alg-es256' | 'validate-eddsa';

export const fixturePath = (name: FixtureName): string => `${FIXTURES_DIR}${name}.json`;

/** A fresh copy on every call (tests may change it), read as `authbench report` reads it: the files are schema version 1. */
export function loadFixture(name: FixtureName): RunResult {
  return parseResult(readFileSync(fixturePath(name), 'utf8'), fixturePath(name));
}
