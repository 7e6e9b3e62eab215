#!/usr/bin/env node
import { CommanderError } from 'commander';
import { AuthbenchError } from '../lib/errors.js';
import { buildProgram, COMMAND_NAMES } from './program.js';

/** Exit codes: 0 done, 1 failed, 2 bad arguments. */
function exitCodeOf(err: unknown): number {
  if (err instanceof AuthbenchError) return err.code === 'ERR_INVALID_OPTION' || err.code === 'ERR_NO_REDIS' ? 2 : 1;
  return 1;
}

// Only the command asked for is built (and its modules loaded); help, a typo or no command gets them all.
const first = process.argv[2];
const program = await buildProgram(first !== undefined && COMMAND_NAMES.includes(first) ? first : undefined);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are not errors; everything else commander rejects is a bad argument.
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  process.stderr.write(`authbench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(exitCodeOf(err));
}
