import { dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { InvalidOptionError } from '../lib/errors.js';
import { readResult } from '../bench/result/read.js';
import { buildReport, writeReport } from '../bench/report/report.js';

interface ReportFlags {
  out?: string;
}

/**
 * Every file is read and checked before anything is written, so a bad one (exit 2) leaves no half report.
 * Prints the paths of report.md and report.html on stdout.
 */
async function report(files: readonly string[], flags: ReportFlags): Promise<void> {
  if (flags.out !== undefined && flags.out.trim() === '') throw new InvalidOptionError('--out needs a directory');
  const results = [];
  for (const file of files) results.push(await readResult(file));
  const outDir = flags.out ?? dirname(files[0] as string);
  const built = await buildReport(results);
  await writeReport(built, outDir);
  process.stderr.write(`report: ${results.length} result(s), ${built.charts.length} chart(s) written to ${outDir}\n`);
  process.stdout.write(`${join(outDir, 'report.md')}\n${join(outDir, 'report.html')}\n`);
}

/** `authbench report <result.json> [more...] [--out DIR]`: rebuild the Markdown and HTML report from saved results. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write report.md (with SVG charts beside it) and a self-contained report.html from result files; several results (e.g. one per --jwt-alg) are also charted side by side')
    .argument('<result...>', 'result.json files written by authbench run')
    .addOption(new Option('--out <dir>', 'output directory (default: the directory of the first result)'))
    .action(async (files: string[], flags: ReportFlags) => {
      await report(files, flags);
    });
}
