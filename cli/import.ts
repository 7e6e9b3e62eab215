import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Option, type Command } from 'commander';
import { importArtilleryReports } from '../bench/artillery/import.js';
import { readReport, type ReportFacts } from '../bench/artillery/report.js';
import { writeResult } from '../bench/result/write.js';
import { collectEnvironment } from '../bench/run/environment.js';
import { renderTables } from '../bench/render/tables.js';
import { InvalidOptionError } from '../lib/errors.js';

interface ImportFlags {
  design?: string;
  out?: string;
}

async function readReportFile(path: string): Promise<ReportFacts> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidOptionError(`${path}: cannot read the report: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InvalidOptionError(`${path}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return readReport(data, path);
}

/** Every report is read and checked before anything is written. Prints the tables; the result's path goes to stderr. */
async function importArtillery(files: readonly string[], flags: ImportFlags): Promise<void> {
  if (flags.out !== undefined && flags.out.trim() === '') throw new InvalidOptionError('--out needs a directory');
  const reports: ReportFacts[] = [];
  for (const file of files) reports.push(await readReportFile(file));
  const result = importArtilleryReports(reports, { design: flags.design, environment: await collectEnvironment('', 'none') });
  const path = await writeResult(result, flags.out ?? dirname(files[0] as string), undefined);
  process.stdout.write(`${renderTables(result)}\n`);
  process.stderr.write(`result: ${path}\n`);
}

/** `authbench import artillery <report.json...>`: Artillery's JSON reports as an authbench result. */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description("read another load generator's results as an authbench result")
    .command('artillery')
    .description('an Artillery JSON report per exported scenario run (several of one scenario: its repetitions) → result.json, read by authbench report and compare')
    .argument('<report...>', 'JSON reports of artillery run --output')
    .addOption(new Option('--design <name>', 'the design the target ran (default: the one the exported scripts named)'))
    .addOption(new Option('--out <dir>', 'where to write result.json (default: the directory of the first report)'))
    .action(async (files: string[], flags: ImportFlags) => {
      await importArtillery(files, flags);
    });
}
