import { spawn, type ChildProcess } from 'node:child_process';
import { stopChild, trackChild } from '../lib/children.js';
import { CLI_PATH } from '../bench/run/server-process.js';

export interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running `authbench ...` process whose whole stdout and stderr are kept, for tests of the output itself. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches `pattern`; rejects if the process exits first or after timeoutMs. */
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves when the process exits; rejects after timeoutMs (the process is then left to stop()). */
  exited(timeoutMs?: number): Promise<CliExit>;
  /** SIGTERM, then SIGKILL after a grace period; for after() hooks. */
  stop(): Promise<void>;
}

/** Spawns the compiled CLI with `args`, the same environment rules as startServerProcess (no REDIS_URL, no secret). */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, REDIS_URL: '', AUTHBENCH_JWT_SECRET: '', ...env },
  });
  trackChild(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<CliExit>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForStdout(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const m = pattern.exec(out);
          if (m === null) return false;
          cleanup();
          resolve(m);
          return true;
        };
        const onExit = (): void => {
          if (check()) return;
          cleanup();
          reject(new Error(`process exited (code ${child.exitCode}, signal ${child.signalCode}) before ${pattern}; stderr:\n${err}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`stdout did not match ${pattern} within ${timeoutMs} ms; stderr:\n${err}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          child.off('exit', onExit);
        };
        if (check()) return;
        child.stdout?.on('data', check);
        child.once('exit', onExit);
      });
    },
    exited(timeoutMs = 15_000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
      });
      return Promise.race([exit, timeout]).finally(() => clearTimeout(timer));
    },
    stop: () => stopChild(child, 'SIGTERM', 5000),
  };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to completion (for argument errors and whole runs); kills it after `timeoutMs` (then `code` is null). */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 15_000): Promise<CliResult> {
  const cli = spawnCli(args, env);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs);
  try {
    const { code } = await cli.exited(timeoutMs + 5000);
    return { code, stdout: cli.stdout(), stderr: cli.stderr() };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Shorter cells than --quick's (0.3 s measured after 0.1 s of warm-up, against 1 s after 0.5 s) for tests that run
 * the real CLI under load to check what it records, never how fast: a few thousand requests per cell are plenty to
 * find every cell, count, label and table, and the runs take about a third less time.
 */
export const SHORT_CELLS: readonly string[] = ['--duration', '0.3', '--warmup', '0.1'];
