/** The authbench command line: every command and its options, built apart from running it (cli/index.ts runs it). */
import { Command, Option } from 'commander';
import { designNames } from '../servers/designs/index.js';
import type { ServeFlags } from '../servers/process/serve.js';
import { addServerOptions } from './server-options.js';

type Register = (program: Command) => void;

/**
 * The commands after `serve`, in help order, each with the module that registers it. A module is imported only when
 * its command is built: `authbench serve` (every server a run or a test starts) then loads the server alone, not the
 * load generators, the report's chart libraries and the gate (it listens after about 0.5 s on 2 cores; 1.5 s with
 * every module loaded).
 */
const COMMANDS: readonly (readonly [names: readonly string[], load: () => Promise<Register>])[] = [
  [['run'], async () => (await import('./run.js')).registerRun],
  [['sweep'], async () => (await import('./sweep.js')).registerSweep],
  [['capacity'], async () => (await import('./capacity.js')).registerCapacity],
  [['calibrate'], async () => (await import('./calibrate.js')).registerCalibrate],
  [['micro'], async () => (await import('./micro.js')).registerMicro],
  [['compare'], async () => (await import('./compare.js')).registerCompare],
  [['ci', 'baseline'], async () => (await import('./gate.js')).registerGate],
  [['sensitivity'], async () => (await import('./sensitivity.js')).registerSensitivity],
  [['report'], async () => (await import('./report.js')).registerReport],
  [['reference'], async () => (await import('./reference.js')).registerReference],
  [['export'], async () => (await import('./export.js')).registerExport],
  [['import'], async () => (await import('./import.js')).registerImport],
];

/** Every command name: `serve` and those of COMMANDS. */
export const COMMAND_NAMES: readonly string[] = ['serve', ...COMMANDS.flatMap(([names]) => names)];

/**
 * The program with every command, or with `only` the command named (what cli/index.ts builds when the first
 * argument names one: that command's parsing, options and help are the same either way).
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('authbench')
    .description('JWT vs JWT + Redis blacklist vs opaque token in Redis: servers, load scenarios and reports')
    .exitOverride()
    .showHelpAfterError();

  if (only === undefined || only === 'serve') addServe(program);
  for (const [names, load] of COMMANDS) if (only === undefined || names.includes(only)) (await load())(program);
  return program;
}

function addServe(program: Command): void {
  addServerOptions(
    program
      .command('serve')
      .description(`run one reference server: ${designNames().join(' | ')}`)
      .argument('<strategy>', `one of ${designNames().join(', ')}`)
      .addOption(new Option('--port <port>', 'port to listen on (0 = any free port)').default('0'))
      .addOption(new Option('--host <host>', 'address to listen on').default('127.0.0.1'))
      .addOption(new Option('--admin-port <port>', 'port of GET /metrics, on 127.0.0.1 only (0 = any free port)').default('0'))
      .option('--log', 'Fastify request logging to stdout (off: it skews measurements)')
      .addOption(new Option('--workers <n>', 'processes sharing the port (node:cluster); a crashed worker stops the server').default('1')),
  ).action(async (strategy: string, flags: ServeFlags) => {
    const { serve } = await import('../servers/process/serve.js');
    await serve(strategy, flags, process.env);
  });
}
