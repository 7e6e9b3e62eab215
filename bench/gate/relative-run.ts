import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { trackChild } from '../../lib/children.js';
import { InvalidOptionError } from '../../lib/errors.js';
import { serverArgv } from '../../servers/options.js';
import { readResult } from '../result/read.js';
import type { RunResult } from '../result/schema.js';
import type { RunFlags } from '../run/config.js';
import { CI_RUN_FLAGS, writeReports, type GateIO, type GateOutcome } from './gate.js';
import { compareRelative, mergeRounds, SCREEN_CONFIDENCE, screenedRows, type GatePair, type RelativeOptions } from './relative.js';
import { exitCodeOf, type Comparison } from './verdict.js';

const exec = promisify(execFile);

/** The checkout this code runs from: dist/bench/gate/ → the project root (the head build). */
export const HEAD_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Pairs by default, and the fewest that give a 95% signed-rank interval. */
export const DEFAULT_PAIRS = 6;

export interface BaseBuild {
  readonly ref: string;
  readonly commit: string;
  readonly dir: string;
  readonly dispose: () => Promise<void>;
}

async function git(root: string, args: readonly string[]): Promise<string> {
  const { stdout } = await exec('git', ['-C', root, ...args], { maxBuffer: 16 << 20 });
  return stdout.trim();
}

async function npm(dir: string, args: readonly string[], io: Pick<GateIO, 'log'>): Promise<void> {
  try {
    await exec('npm', [...args], { cwd: dir, maxBuffer: 64 << 20, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    io.log(`${`${e.stdout ?? ''}${e.stderr ?? ''}`.slice(-3000)}`);
    throw new Error(`npm ${args.join(' ')} failed in the base worktree ${dir}: ${e.message.split('\n')[0] ?? ''}`);
  }
}

/**
 * The base commit, checked out in a temporary git worktree and built: its dependencies are the head's own
 * node_modules when both lockfiles are identical (a symlink), `npm ci` otherwise; then `npm run build`. The
 * worktree is removed by `dispose`. An unknown ref, or a checkout that is not a git repository, is an
 * InvalidOptionError before anything is built.
 */
export async function prepareBase(ref: string, io: Pick<GateIO, 'log'>, root = HEAD_ROOT): Promise<BaseBuild> {
  let commit: string;
  try {
    commit = await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    const inRepo = await git(root, ['rev-parse', '--is-inside-work-tree']).catch(() => 'false');
    if (inRepo !== 'true') throw new InvalidOptionError(`--base: ${root} is not a git checkout, so there is no base commit to build (use the baseline mode: --baseline <file>)`);
    throw new InvalidOptionError(`--base: ${JSON.stringify(ref)} is not a commit here (a branch, tag or hash; in CI fetch it first, e.g. actions/checkout with fetch-depth: 0)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'authbench-base-'));
  const dispose = async (): Promise<void> => {
    await git(root, ['worktree', 'remove', '--force', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    await git(root, ['worktree', 'prune']).catch(() => undefined);
  };
  try {
    io.log(`base: ${ref} = ${commit.slice(0, 10)}, checked out in ${dir}`);
    await git(root, ['worktree', 'add', '--detach', '--force', dir, commit]);
    const [headLock, baseLock] = await Promise.all([readFile(join(root, 'package-lock.json'), 'utf8').catch(() => ''), readFile(join(dir, 'package-lock.json'), 'utf8').catch(() => undefined)]);
    if (baseLock !== undefined && baseLock === headLock && existsSync(join(root, 'node_modules'))) {
      await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
      io.log('base: same package-lock.json as head, using its node_modules');
    } else {
      io.log('base: its package-lock.json differs from head: npm ci');
      await npm(dir, ['ci', '--no-audit', '--no-fund'], io);
    }
    io.log('base: npm run build');
    await npm(dir, ['run', 'build'], io);
    return { ref, commit, dir, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** The command line of a side's `run`: the CI settings, one repetition, the gate's server options. */
export function sideArgs(flags: RunFlags, outDir: string): string[] {
  // Absolute: each side's run has its own checkout as its working directory.
  const f = { ...CI_RUN_FLAGS, ...flags, repeat: '1' };
  const args = ['run', '--scenarios', String(f.scenarios), '--duration', String(f.duration), '--warmup', String(f.warmup), '--repeat', '1', '--connections', String(f.connections), '--rate', String(f.rate)];
  if (f.strategies !== undefined) args.push('--strategies', f.strategies);
  if (f.redisLatency !== undefined) args.push('--redis-latency', f.redisLatency);
  args.push(...serverArgv(f), '--out', resolve(outDir));
  return args;
}

/**
 * One `authbench run` of one build, as a child process of its own: `node <root>/dist/cli/index.js run …`. Its
 * result, or why there is none (the last lines it wrote). Ctrl-C (the signal) passes SIGINT on, once, so the run
 * stops its servers and Redis itself.
 */
export async function runSide(root: string, flags: RunFlags, outDir: string, io: Pick<GateIO, 'serverEnv' | 'signal'>): Promise<RunResult | string> {
  // In a process group of its own: a Ctrl-C at the terminal reaches it once, forwarded below (it then stops its
  // servers and Redis itself), and if this process exits any other way the whole group goes with it.
  const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'index.js'), ...sideArgs(flags, outDir)], {
    cwd: root,
    env: { ...process.env, ...io.serverEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  trackChild(child);
  const killGroup = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', killGroup);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-4000)));
  const onAbort = (): void => void child.kill('SIGINT');
  io.signal.addEventListener('abort', onAbort, { once: true });
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  io.signal.removeEventListener('abort', onAbort);
  process.off('exit', killGroup);
  const file = join(resolve(outDir), 'result.json');
  const lastLine = stderr.trim().split('\n').slice(-3).join(' / ');
  if (!existsSync(file)) return `its run exited with ${code ?? 'a signal'} and wrote no result: ${lastLine || 'no output'}`;
  try {
    return await readResult(file, { role: 'current', forComparison: true });
  } catch (err) {
    return `its result could not be read: ${err instanceof Error ? err.message : String(err)}`;
  }
}

export interface RelativeGateOptions extends RelativeOptions {
  readonly baseRef: string;
  readonly pairs: number;
  readonly outDir: string;
  readonly confirm?: boolean;
  readonly runFlags?: RunFlags;
}

/** The sides in the order of pair i: AB, BA, AB, … (A = base). */
export const pairOrder = (i: number): readonly ['base', 'head'] | readonly ['head', 'base'] => (i % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const));

async function runPairs(base: BaseBuild, options: RelativeGateOptions, dir: string, io: GateIO, firstIndex = 0): Promise<GatePair[] | 'interrupted'> {
  const pairs: GatePair[] = [];
  for (let i = firstIndex; i < firstIndex + options.pairs; i++) {
    const got: Partial<Record<'base' | 'head', RunResult>> = {};
    const problems: string[] = [];
    for (const side of pairOrder(i)) {
      if (io.signal.aborted) return 'interrupted';
      io.log(`pair ${i + 1}/${firstIndex + options.pairs}: ${side} (${side === 'base' ? base.commit.slice(0, 10) : 'this checkout'})`);
      const r = await runSide(side === 'base' ? base.dir : HEAD_ROOT, options.runFlags ?? {}, join(dir, `pair-${i + 1}-${side}`), io);
      if (io.signal.aborted) return 'interrupted';
      if (typeof r === 'string') problems.push(`${side}: ${r}`);
      else got[side] = r;
    }
    pairs.push({ index: i, first: pairOrder(i)[0], base: got.base, head: got.head, problems });
  }
  return pairs;
}

/**
 * `authbench ci --base <ref>`: the base commit built in a temporary worktree, then base and head run in
 * `pairs` interleaved pairs (AB BA AB …), each a `run` with the CI settings and one repetition, and judged on the
 * paired statistic (bench/gate/relative.ts). If a cell's 90% interval in the first round lies beyond the threshold
 * (the screen), the whole interleaved order is run again (pairs n+1 … 2n, in confirm/) and that cell's verdict is the
 * 95% interval of both rounds pooled. Reports as the baseline mode writes them.
 */
export async function runRelativeGate(options: RelativeGateOptions, io: GateIO): Promise<GateOutcome | 'interrupted'> {
  const base = await prepareBase(options.baseRef, io);
  try {
    await rm(join(options.outDir, 'pairs'), { recursive: true, force: true });
    await rm(join(options.outDir, 'confirm'), { recursive: true, force: true });
    const pairs = await runPairs(base, options, join(options.outDir, 'pairs'), io);
    if (pairs === 'interrupted') return 'interrupted';
    const first = compareRelative(pairs, options);
    const screen = compareRelative(pairs, { ...options, confidence: SCREEN_CONFIDENCE });
    let outcome: { first: Comparison; confirmation?: Comparison; final: Comparison; remeasured: string[] } = { first, final: first, remeasured: [] };
    const flagged = screenedRows(screen);
    if (flagged.length > 0 && options.confirm !== false) {
      const remeasured = [...new Set(flagged.map((r) => `${r.scenario} × ${r.strategy}`))];
      io.log(`beyond the threshold at ${Math.round(SCREEN_CONFIDENCE * 100)}% in round 1: ${remeasured.join(', ')}; running the whole interleaved order again`);
      const again = await runPairs(base, options, join(options.outDir, 'confirm'), io, options.pairs);
      if (again === 'interrupted') return 'interrupted';
      // Judged on both rounds together at 95%: 2n pairs give a tighter signed-rank interval than n (with 12 the
      // 13 most extreme Walsh averages at each end are dropped).
      const confirmation = compareRelative([...pairs, ...again], options);
      outcome = { first, confirmation, final: mergeRounds(first, screen, confirmation), remeasured };
    }
    const files = await writeReports(outcome, options.outDir, io);
    return { ...outcome, exitCode: exitCodeOf(outcome.final), files };
  } finally {
    await base.dispose();
  }
}
