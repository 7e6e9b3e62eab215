import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { JWT_IMPLS } from '../../servers/config.js';
import { designNames, designOf } from '../../servers/designs/index.js';
import { clockTicks, cpuSecondsOf } from '../measure/limits.js';
import { collectEnvironment, packageVersion, type Environment } from '../run/environment.js';
import { orderFor } from '../run/load-cells.js';
import { startListeningProcess, startServerProcess, type ServerProcess } from '../run/server-process.js';
import type { ReferenceConfig } from './config.js';
import { runWrk, wrkArgs, wrkVersion, type WrkResult } from './wrk.js';

/** The compiled entry of the @fastify/jwt reference server (run as its own process, like the authbench servers). */
export const REFERENCE_ENTRY = fileURLToPath(new URL('./serve-reference.js', import.meta.url));

/** The servers compared, in round-0 order; the last is the reference the others are divided by. */
export const SUBJECTS = ['authbench-jwt', 'authbench-jwt-jose', 'fastify-jwt'] as const;
export type SubjectName = (typeof SUBJECTS)[number];
export const REFERENCE_SUBJECT: SubjectName = 'fastify-jwt';

export const ROUTES = ['health', 'me'] as const;
export type Route = (typeof ROUTES)[number];

/** How each server is started (`S` is the run's random secret, the same for all three). */
const SUBJECT_SPECS: Readonly<Record<SubjectName, { readonly label: string; readonly command: string }>> = {
  'authbench-jwt': { label: `authbench jwt (${JWT_IMPLS[0]}, the default)`, command: 'AUTHBENCH_JWT_SECRET=S authbench serve jwt' },
  'authbench-jwt-jose': { label: 'authbench jwt (jose)', command: 'AUTHBENCH_JWT_SECRET=S authbench serve jwt --jwt-impl jose' },
  'fastify-jwt': { label: '@fastify/jwt reference', command: 'AUTHBENCH_JWT_SECRET=S node dist/bench/reference/serve-reference.js' },
};

export interface ReferenceSubject {
  readonly name: SubjectName;
  readonly label: string;
  readonly command: string;
  /** Length of the token measured on /me (one token, the same in every request). */
  readonly tokenLength: number;
  /** Which server issued that token (the reference issues none: it gets the default server's). */
  readonly tokenFrom: SubjectName;
}

/** One measured wrk run: one server, one route, one round. */
export interface ReferenceCell {
  readonly round: number;
  /** 0-based place of the server in its round's order. */
  readonly position: number;
  readonly subject: SubjectName;
  readonly route: Route;
  readonly wrk: WrkResult;
  /** CPU time (user + system) of the server process over the measured run, seconds; null off Linux. */
  readonly serverCpuSec: number | null;
}

export interface ReferenceResult {
  readonly schemaVersion: 1;
  readonly tool: 'authbench';
  readonly kind: 'reference';
  readonly status: 'complete' | 'interrupted';
  readonly environment: Environment;
  /** 1, 5 and 15-minute load averages before the first server started and after the last run. */
  readonly loadAverage: { readonly before: readonly number[]; readonly after: readonly number[] };
  readonly config: Omit<ReferenceConfig, 'jsonFile'>;
  readonly wrk: { readonly version: string; readonly command: string };
  readonly method: readonly string[];
  readonly subjects: readonly ReferenceSubject[];
  readonly cells: readonly ReferenceCell[];
}

export interface ReferenceIO {
  readonly signal?: AbortSignal;
  /** One line per step, for stderr. */
  readonly progress?: (line: string) => void;
}

const round2 = (values: readonly number[]): number[] => values.map((n) => Math.round(n * 100) / 100);

/** The user42 token a server issues, and a check that its /me answers 200 for that user with it. */
/**
 * The design a minimal @fastify/jwt server is the counterpart of: the first that verifies JWTs and keeps nothing in
 * Redis on the way (its traits say so; `jwt` among the built-in designs).
 */
function statelessJwtDesign(): string {
  const name = designNames().find((n) => {
    const t = designOf(n).traits;
    return t.verifiesJwt && t.state.kind === 'none' && t.storeCommandsPerValidate === 0;
  });
  if (name === undefined) throw new Error('no registered design verifies JWTs without Redis: nothing to compare with @fastify/jwt');
  return name;
}

async function login(url: string): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'user42', password: 'pass42' }),
    signal: AbortSignal.timeout(5000),
  });
  const body = (await res.json()) as { token?: unknown };
  if (res.status !== 200 || typeof body.token !== 'string') throw new Error(`POST ${url}/login answered ${res.status}: ${JSON.stringify(body)}`);
  return body.token;
}

/** Throws unless GET /me with `token` answers 200 naming user42 (u42): a server that refuses would look fast. */
async function checkMe(label: string, url: string, token: string): Promise<void> {
  const res = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let userId: unknown;
  try {
    userId = (JSON.parse(text) as { userId?: unknown }).userId;
  } catch {
    userId = undefined;
  }
  if (res.status !== 200 || userId !== 'u42') throw new Error(`${label}: GET /me with the token answered ${res.status} ${text}, not 200 for u42`);
}

function describeMethod(config: ReferenceConfig): string[] {
  return [
    'loopback; each server its own Node process, started once, one HTTP worker, idle while another is measured; wrk in its own process',
    `load: wrk closed loop, ${config.connections} connections over ${config.threads} threads, ${config.durationSec} s per cell after a ${config.warmupSec} s wrk warm-up (not counted)`,
    `order: ${config.rounds} round${config.rounds === 1 ? "" : "s"} with the servers in alternating order (A B C, C B A, ...); per server /health then /me, reversed on odd rounds`,
    '/me: one token in every request (no cache is on in any server); the authbench servers each sign with their own kid, so each gets its own user42 token, and the reference gets the default server\'s',
    'checked before measuring: GET /me with the token answers 200 for u42 on each server; non-2xx and socket errors are counted per cell',
    '/me ÷ /health: the same server\'s two rates in the same round; versus the reference: per round, then median and min–max over rounds',
    'server CPU: user + system time of the server process over the measured run (/proc); µs per request = CPU time ÷ requests',
  ];
}

/**
 * Starts authbench's `jwt` server (default JWT implementation), the same with jose, and the @fastify/jwt reference
 * server, all with one random secret; checks that each accepts its token; then measures GET /health and GET /me of
 * each with wrk, one server at a time, over `config.rounds` interleaved rounds. Every process it starts is stopped
 * before it returns or throws (and killed if this process exits).
 */
export async function runReferenceComparison(config: ReferenceConfig, io: ReferenceIO = {}): Promise<ReferenceResult> {
  const progress = io.progress ?? ((): void => {});
  const version = wrkVersion();
  const before = round2(os.loadavg());
  const environment = await collectEnvironment('', 'none');
  const packages = { ...environment.packages, 'fast-jwt': packageVersion('fast-jwt'), '@fastify/jwt': packageVersion('@fastify/jwt') };
  const secret = randomBytes(32).toString('base64url');
  const servers = new Map<SubjectName, ServerProcess>();
  const cells: ReferenceCell[] = [];
  let status: ReferenceResult['status'] = 'complete';
  const ticks = clockTicks();
  const aborted = (): boolean => io.signal?.aborted === true;
  try {
    // The secret goes through the environment, never argv (where `ps` would show it).
    const env = { AUTHBENCH_JWT_SECRET: secret };
    const design = statelessJwtDesign();
    servers.set('authbench-jwt', await startServerProcess(design, [], env));
    servers.set('authbench-jwt-jose', await startServerProcess(design, ['--jwt-impl', 'jose'], env));
    servers.set('fastify-jwt', await startListeningProcess('the @fastify/jwt reference server', [REFERENCE_ENTRY, '--port', '0'], env));
    const url = (name: SubjectName): string => (servers.get(name) as ServerProcess).url;

    const defaultToken = await login(url('authbench-jwt'));
    const tokens: Record<SubjectName, string> = {
      'authbench-jwt': defaultToken,
      'authbench-jwt-jose': await login(url('authbench-jwt-jose')),
      'fastify-jwt': defaultToken,
    };
    for (const name of SUBJECTS) await checkMe(SUBJECT_SPECS[name].label, url(name), tokens[name]);

    const load = { connections: config.connections, threads: config.threads };
    rounds: for (let round = 0; round < config.rounds; round++) {
      for (const [position, subject] of orderFor(SUBJECTS, round).entries()) {
        for (const route of orderFor(ROUTES, round)) {
          if (aborted()) break rounds;
          const server = servers.get(subject) as ServerProcess;
          const gone = server.exited();
          if (gone !== undefined) throw new Error(`${SUBJECT_SPECS[subject].label} ${gone}; stderr:\n${server.stderr()}`);
          const target = `${server.url}/${route}`;
          const token = route === 'me' ? tokens[subject] : undefined;
          progress(`round ${round + 1}/${config.rounds}: ${SUBJECT_SPECS[subject].label} GET /${route}`);
          try {
            if (config.warmupSec > 0) await runWrk(wrkArgs(target, { ...load, durationSec: config.warmupSec }, token), io.signal);
            const cpuBefore = cpuSecondsOf(server.child.pid, ticks);
            const wrk = await runWrk(wrkArgs(target, { ...load, durationSec: config.durationSec }, token), io.signal);
            const cpuAfter = cpuSecondsOf(server.child.pid, ticks);
            const serverCpuSec = cpuBefore === null || cpuAfter === null ? null : Math.round((cpuAfter - cpuBefore) * 1000) / 1000;
            cells.push({ round, position, subject, route, wrk, serverCpuSec });
          } catch (err) {
            if (aborted()) break rounds;
            throw err;
          }
        }
      }
    }
    if (aborted()) status = 'interrupted';

    return {
      schemaVersion: 1,
      tool: 'authbench',
      kind: 'reference',
      status,
      environment: { ...environment, packages },
      loadAverage: { before, after: round2(os.loadavg()) },
      config: { rounds: config.rounds, durationSec: config.durationSec, warmupSec: config.warmupSec, connections: config.connections, threads: config.threads },
      wrk: { version, command: ['wrk', ...wrkArgs('http://127.0.0.1:PORT/me', { ...load, durationSec: config.durationSec }, '<token>')].map(shellQuote).join(' ') },
      method: describeMethod(config),
      subjects: SUBJECTS.map((name) => ({
        name,
        ...SUBJECT_SPECS[name],
        tokenLength: tokens[name].length,
        tokenFrom: name === REFERENCE_SUBJECT ? 'authbench-jwt' : name,
      })),
      cells,
    };
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
  }
}

/** An argument as a POSIX shell would need it written. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
