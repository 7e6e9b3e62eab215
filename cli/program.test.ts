import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { buildProgram, COMMAND_NAMES } from './program.js';

/** A command's shape: its name, arguments, options and subcommands, as commander parses them. */
function shape(cmd: Command): unknown {
  return {
    name: cmd.name(),
    args: cmd.registeredArguments.map((a) => a.name()),
    options: cmd.options.map((o) => `${o.flags}=${String(o.defaultValue)}`),
    commands: cmd.commands.map(shape),
  };
}

describe('the program built for one command (cli/index.ts builds only the command asked for)', () => {
  it('names every command of the full program, and only those', async () => {
    const full = await buildProgram();
    assert.deepEqual([...COMMAND_NAMES].sort(), full.commands.map((c) => c.name()).sort());
  });

  for (const name of COMMAND_NAMES) {
    it(`builds ${name} exactly as the full program does`, async () => {
      const full = (await buildProgram()).commands.find((c) => c.name() === name);
      const alone = (await buildProgram(name)).commands.find((c) => c.name() === name);
      assert.ok(full !== undefined && alone !== undefined, name);
      assert.deepEqual(shape(alone), shape(full));
    });
  }

  it('builds serve without loading the other commands\' modules', async () => {
    const program = await buildProgram('serve');
    assert.deepEqual(program.commands.map((c) => c.name()), ['serve']);
  });
});
