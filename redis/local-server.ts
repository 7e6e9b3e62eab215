import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthbenchError, ErrorCodes } from '../lib/errors.js';
import { stopChild, trackChild } from '../lib/children.js';
import { freePort } from '../lib/ports.js';

export type Persistence = 'none' | 'aof';

export interface LocalRedisOptions {
  /** Port to bind; a free ephemeral one when omitted. */
  readonly port?: number;
  readonly persistence?: Persistence;
  /** Directory for the working files; a new temporary one when omitted (removed on stop). */
  readonly dir?: string;
  readonly binary?: string;
  readonly startTimeoutMs?: number;
  /** More redis-server arguments, after authbench's own (a later directive wins): cluster mode uses this. */
  readonly extraArgs?: readonly string[];
  /**
   * The password every client must give (`requirepass`, and `masterauth` for a replica). A new random one when
   * omitted; `false` for none, which only the proxy's own tests use (they write raw RESP through the proxy, and the
   * proxy forwards bytes whatever they say).
   */
  readonly password?: string | false;
}

/** The configuration file of an authbench redis-server, holding its password: never on the command line (`ps`). */
export const CONFIG_FILE = 'redis.conf';

/** A random Redis password: 32 hex characters (128 bits), safe in a URL's userinfo and in a redis.conf line. */
export const randomRedisPassword = (): string => randomBytes(16).toString('hex');

/**
 * The watchdog of one redis-server: a `sh` that waits on a pipe from this process. The pipe closes when this process
 * ends, however it ends (SIGKILL and SIGHUP included, where no exit hook runs), and the watchdog then kills the
 * redis-server (if that pid is still a redis-server: it may have been killed on purpose and its pid reused) and removes
 * its temporary directory. It ignores the signals a terminal sends the whole process group, so that it outlives its
 * parent long enough to clean up; a normal stop kills it (SIGKILL) first. Untracked on purpose: the exit hook of
 * lib/children.ts must not kill it before it has cleaned up.
 */
const WATCHDOG = [
  "trap '' INT TERM HUP QUIT",
  'read _ignored',
  // Spelled redis-serve[r] so that the watchdog's own command line does not read as a redis-server to pgrep or ps.
  'case "$(ps -p "$1" -o comm= 2>/dev/null)" in *redis-serve[r]*) kill -9 "$1" ;; esac',
  '[ -n "$2" ] && rm -rf "$2"',
].join('\n');

function startWatchdog(redisPid: number | undefined, dirToRemove: string | undefined): ChildProcess | undefined {
  if (redisPid === undefined || process.platform === 'win32') return undefined;
  const watchdog = spawn('sh', ['-c', WATCHDOG, 'authbench-redis-watchdog', String(redisPid), dirToRemove ?? ''], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.on('error', () => {}); // no sh: no watchdog, the exit hook still covers the ordinary exits
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

/** The file in an authbench Redis directory that names the process that owns it (see cleanStaleDirs). */
export const OWNER_FILE = 'authbench-owner.pid';

/**
 * Removes `authbench-redis-*` directories in the temp directory whose owner (OWNER_FILE) is no longer running, and
 * kills the redis-server still running in one (its pid file, if it is still a redis-server): what a process killed
 * before its watchdog could act left behind. A directory without an owner file is left alone.
 */
export async function cleanStaleDirs(base = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = (await readdir(base)).filter((n) => n.startsWith('authbench-redis-'));
  } catch {
    return removed;
  }
  for (const name of names) {
    const dir = join(base, name);
    const owner = Number((await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(owner) || owner <= 0 || isRunning(owner)) continue;
    const redisPid = Number((await readFile(join(dir, 'redis.pid'), 'utf8').catch(() => '')).trim());
    if (Number.isInteger(redisPid) && redisPid > 0 && isRunning(redisPid) && (await commOf(redisPid)).includes('redis-server')) {
      try {
        process.kill(redisPid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function commOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
}

/** A redis-server process started by authbench on loopback. */
export class LocalRedis {
  private constructor(
    readonly process: ChildProcess,
    readonly port: number,
    readonly dir: string,
    private ownsDir: boolean,
    readonly options: LocalRedisOptions,
    private readonly output: string[],
    private readonly watchdog: ChildProcess | undefined,
  ) {}

  /** The URL clients use, with the password as its userinfo (`redis://:password@127.0.0.1:port`). */
  get url(): string {
    const password = this.password;
    return `redis://${password === undefined ? '' : `:${password}@`}127.0.0.1:${this.port}`;
  }

  /** The password clients must give, or undefined when started with `password: false`. */
  get password(): string | undefined {
    return this.options.password === false ? undefined : this.options.password;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Last lines redis-server printed, for error messages. */
  lastOutput(): string {
    return this.output.slice(-20).join('');
  }

  /** Starts redis-server and resolves once it accepts connections. Retries another port if the first is taken. */
  static async start(options: LocalRedisOptions = {}): Promise<LocalRedis> {
    const ownsDir = options.dir === undefined;
    if (ownsDir) await cleanStaleDirs();
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'authbench-redis-')));
    if (ownsDir) await writeFile(join(dir, OWNER_FILE), `${process.pid}\n`);
    // The password lives in the options from here on, so that a restart() brings the server back with the same one.
    options = { ...options, password: options.password ?? randomRedisPassword() };
    await writeConfig(dir, options.password);
    let lastError: unknown;
    for (let attempt = 0; attempt < (options.port === undefined ? 5 : 1); attempt++) {
      const port = options.port ?? (await freePort());
      try {
        return await LocalRedis.spawnOn(port, dir, ownsDir, options);
      } catch (err) {
        lastError = err;
        // Only a port taken between picking it and binding it is worth another try; anything else (no binary,
        // a bad config, a hang) would fail the same way again.
        if (!(err instanceof Error && /Address already in use/i.test(err.message))) break;
      }
    }
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    throw lastError;
  }

  private static spawnOn(port: number, dir: string, ownsDir: boolean, options: LocalRedisOptions): Promise<LocalRedis> {
    const persistence = options.persistence ?? 'none';
    const args = [
      join(dir, CONFIG_FILE),
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--dir', dir,
      '--save', '',
      '--appendonly', persistence === 'aof' ? 'yes' : 'no',
      // With AOF on, every write is on disk before it is acknowledged: a kill then loses nothing that a client
      // was told succeeded (a revocation, a login), which is the point of the persistence option.
      '--appendfsync', 'always',
      '--daemonize', 'no',
      '--pidfile', join(dir, 'redis.pid'),
      '--protected-mode', 'yes',
      '--loglevel', 'notice',
      ...(options.extraArgs ?? []),
    ];
    const binary = options.binary ?? 'redis-server';
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    trackChild(child);
    const output: string[] = [];
    const timeoutMs = options.startTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (message: string, cause?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new AuthbenchError(ErrorCodes.REDIS_START_FAILED, `${message}\n${output.slice(-10).join('')}`.trim(), 500, { cause }));
      };
      const timer = setTimeout(() => fail(`redis-server did not become ready on port ${port} within ${timeoutMs} ms`), timeoutMs);
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString();
        output.push(text);
        if (output.length > 200) output.splice(0, output.length - 200);
        if (!settled && /Ready to accept connections/.test(text)) {
          settled = true;
          clearTimeout(timer);
          resolve(new LocalRedis(child, port, dir, ownsDir, options, output, startWatchdog(child.pid, ownsDir ? dir : undefined)));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('error', (err) => fail(`could not run ${binary}: ${err.message}`, err));
      child.once('exit', (code, signal) => fail(`redis-server exited during start (code ${code}, signal ${signal})`));
    });
  }

  /** Stops the server (SIGTERM, then SIGKILL) and removes its temporary directory. */
  async stop(): Promise<void> {
    this.watchdog?.kill('SIGKILL');
    await stopChild(this.process, 'SIGTERM', 3000);
    if (this.ownsDir) await rm(this.dir, { recursive: true, force: true });
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /**
   * SIGKILL, resolved once the process is gone (restarting on the same port before that fails with
   * EADDRINUSE). The directory is kept: restart() brings the server back with it (and its AOF, if any).
   */
  kill(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      this.process.once('exit', () => resolve());
      this.process.kill('SIGKILL');
    });
  }

  /** A new redis-server on the same port, directory and persistence; it takes over the directory's cleanup. */
  async restart(): Promise<LocalRedis> {
    await this.kill();
    this.watchdog?.kill('SIGKILL');
    const next = await LocalRedis.spawnOn(this.port, this.dir, this.ownsDir, this.options);
    this.ownsDir = false; // the new process owns the directory now; stopping this dead one must not remove it
    return next;
  }

  /** SIGSTOP: the process holds its connections and answers nothing. Resolves once the kernel shows it stopped. */
  async pause(): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGSTOP');
    await waitForState(this.process.pid, (state) => state === 'T' || state === 't');
  }

  /** SIGCONT; harmless on a process that is not stopped or is gone. */
  async resume(): Promise<void> {
    if (!this.running) return;
    this.process.kill('SIGCONT');
    await waitForState(this.process.pid, (state) => state !== 'T' && state !== 't');
  }
}

/**
 * Writes the directory's redis.conf (mode 0600, in a directory that is itself 0700 when authbench made it): the
 * password for clients and, for a cluster's replicas, for their master. Empty when there is no password.
 */
async function writeConfig(dir: string, password: string | false | undefined): Promise<void> {
  const lines = typeof password === 'string' ? [`requirepass ${password}`, `masterauth ${password}`] : [];
  await writeFile(join(dir, CONFIG_FILE), lines.map((l) => `${l}\n`).join(''), { mode: 0o600 });
}

/** Polls /proc/<pid>/stat until the process state satisfies `ok` (at most 2 s; Linux only, else a no-op). */
async function waitForState(pid: number | undefined, ok: (state: string) => boolean): Promise<void> {
  if (pid === undefined) return;
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    let state: string | undefined;
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'latin1');
      state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    } catch {
      return; // gone, or no /proc
    }
    if (state === undefined || ok(state)) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}
