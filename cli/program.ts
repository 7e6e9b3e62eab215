/** The authbench command line: every command and its options, built apart from running it (cli/index.ts runs it). */
import { Command, Option } from 'commander';
import { designNames } from '../servers/designs/index.js';
import { registerGate } from './gate.js';
import { registerCompare } from './compare.js';
import { registerMicro } from './micro.js';
import { registerReference } from './reference.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerSensitivity } from './sensitivity.js';
import { registerSweep } from './sweep.js';
import { registerCapacity } from './capacity.js';
import { registerCalibrate } from './calibrate.js';
import { registerExport } from './export.js';
import { registerImport } from './import.js';
import { serve, type ServeFlags } from '../servers/process/serve.js';
import { addServerOptions } from './server-options.js';

export function buildProgram(): Command {
  const program = new Command('authbench')
    .description('JWT vs JWT + Redis blacklist vs opaque token in Redis: servers, load scenarios and reports')
    .exitOverride()
    .showHelpAfterError();

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
    await serve(strategy, flags, process.env);
  });

  registerRun(program);
  registerSweep(program);
  registerCapacity(program);
  registerCalibrate(program);
  registerMicro(program);
  registerCompare(program);
  registerGate(program);
  registerSensitivity(program);
  registerReport(program);
  registerReference(program);
  registerExport(program);
  registerImport(program);
  return program;
}
