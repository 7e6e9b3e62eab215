import { spawn, spawnSync } from 'node:child_process';
import { stopChild, trackChild } from '../../lib/children.js';
import { AuthbenchError, ErrorCodes } from '../../lib/errors.js';

/** The load of one wrk run: closed loop, `connections` kept open over `threads` threads. */
export interface WrkLoad {
  readonly connections: number;
  readonly threads: number;
  readonly durationSec: number;
}

/** What one wrk run reported. */
export interface WrkResult {
  readonly requests: number;
  /** wrk's own duration of the run, seconds. */
  readonly seconds: number;
  readonly requestsPerSec: number;
  /** `Non-2xx or 3xx responses` (0 when wrk printed no such line). */
  readonly non2xx: number;
  /** connect + read + write + timeout socket errors. */
  readonly socketErrors: number;
  /** The 50th and 99th percentile of wrk's latency distribution, ms (only when run with --latency). */
  readonly latencyP50Ms?: number;
  readonly latencyP99Ms?: number;
}

/** The message when wrk is missing: it is a Debian package, not an npm one. */
export const WRK_MISSING = 'wrk not found on PATH: install it (Debian/Ubuntu: apt-get install wrk; elsewhere https://github.com/wg/wrk)';

/** wrk's version line (`wrk debian/4.1.0-3+b2 [epoll] ...`); throws when wrk is not installed. */
export function wrkVersion(): string {
  // `wrk -v` prints its version and usage, then exits 1.
  const run = spawnSync('wrk', ['-v'], { encoding: 'utf8', timeout: 5000 });
  if (run.error !== undefined) throw new AuthbenchError(ErrorCodes.INVALID_OPTION, run.error.message.includes('ENOENT') ? WRK_MISSING : `wrk -v failed: ${run.error.message}`, 2);
  const line = (run.stdout + run.stderr).split('\n')[0]?.trim() ?? '';
  return /^wrk /.test(line) ? line.replace(/\s+Copyright.*$/, '') : 'wrk (unknown version)';
}

/** wrk's arguments for `url`, with the bearer token as a header when one is given. */
export function wrkArgs(url: string, load: WrkLoad, token?: string, latency = false): string[] {
  const header = token === undefined ? [] : ['-H', `Authorization: Bearer ${token}`];
  return [`-t${load.threads}`, `-c${load.connections}`, `-d${load.durationSec}s`, ...(latency ? ['--latency'] : []), ...header, url];
}

/** A wrk duration (`412.00us`, `1.23ms`, `2.00s`) in ms. */
function wrkMs(value: string, unit: string): number {
  return Number(value) * (unit === 'us' ? 1e-3 : unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : NaN);
}

const SUFFIX: Readonly<Record<string, number>> = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** The figures of wrk's text report, or an Error naming the line that is missing. */
export function parseWrkOutput(text: string): WrkResult | Error {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m|h),/.exec(text);
  const rate = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  if (total === null || rate === null) return new Error(`wrk printed no "N requests in T" and "Requests/sec" lines:\n${text.slice(0, 2000)}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket === null ? 0 : socket.slice(1, 5).reduce((sum, n) => sum + Number(n), 0);
  // `--latency` adds its distribution: "     50%  412.00us".
  const pct = (p: string): number | undefined => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
    return m === null ? undefined : wrkMs(m[1] as string, m[2] as string);
  };
  const p50 = pct('50');
  const p99 = pct('99');
  return {
    requests: Number(total[1]),
    seconds: Number(total[2]) * (SUFFIX[total[3] ?? 's'] ?? 1),
    requestsPerSec: Number(rate[1]),
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
    socketErrors,
    ...(p50 === undefined ? {} : { latencyP50Ms: p50 }),
    ...(p99 === undefined ? {} : { latencyP99Ms: p99 }),
  };
}

/** Runs wrk to completion (tracked, killed with this process) and returns its figures; throws when it fails. */
export function runWrk(args: readonly string[], signal?: AbortSignal): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const onAbort = (): void => void stopChild(child, 'SIGTERM', 1000);
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new Error(err.message.includes('ENOENT') ? WRK_MISSING : `wrk: ${err.message}`));
    });
    child.once('close', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted === true) return reject(new Error('interrupted'));
      const parsed = parseWrkOutput(out);
      if (code !== 0 || parsed instanceof Error) {
        return reject(new Error(`wrk ${args.join(' ')} ended with ${sig ?? `code ${code}`}: ${parsed instanceof Error ? parsed.message : out.slice(0, 2000)}`));
      }
      resolve(parsed);
    });
  });
}
