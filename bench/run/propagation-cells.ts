import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { isPropagationScenario, scenarios } from '../../scenarios/index.js';
import type { PropagationScenario } from '../../scenarios/scenario.js';
import { designOf } from '../../servers/designs/index.js';
import { createSharedJwtKeys } from '../../servers/jwt/shared-keys.js';
import { runPacedLoad, type PacedLoadResult } from '../load/paced.js';
import { httpTokenSource } from '../load/tokens.js';
import { PollRecorder, summarizePropagation, type LogoutProbe } from '../measure/propagation.js';
import type { PropagationCell } from '../result/schema.js';
import { jwtArgs, type RunConfig } from './config.js';
import type { RunContext } from './context.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/** Each design idle, then under load (see PropagationScenario.loadRps). */
const LOADS = ['idle', 'loaded'] as const;

export function propagationCellCount(config: RunConfig): number {
  return config.scenarios.filter(isPropagationScenario).length * config.strategies.length * LOADS.length;
}

/** Tokens of the validate load on the polled instances, issued on the first instance (they are valid on all). */
const LOAD_TOKENS = 200;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The paced load's own bound, past any cell: it is stopped when the cell's logouts are done. */
const LOAD_BOUND_SEC = 900;

/** How long the first logout waits for the load to be past its warm-up, at most; then how long into it. */
const LOAD_START_BOUND_MS = 30_000;
const LOAD_SETTLE_MS = 500;

const noop = (): void => {};

/** One keep-alive connection to one instance; each request awaited before the next (one in flight). */
class Instance {
  readonly pool: Pool;
  constructor(readonly server: ServerProcess) {
    this.pool = new Pool(new URL(server.url).origin, { connections: 1, pipelining: 1 });
  }

  /** The status of one request (0 for a transport error), its body read and dropped. */
  async call(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
    try {
      const res = await this.pool.request({ method, path, headers, ...(body === undefined ? {} : { body }), headersTimeout: 5000, bodyTimeout: 5000 });
      return { status: res.statusCode, text: await res.body.text() };
    } catch {
      return { status: 0, text: '' };
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/**
 * Polls `instance` with `token` from the acknowledgement (`ackAt`, performance.now()) until it has refused
 * `confirmations` times in a row or the window is over: back to back for `finePollMs`, then every `coarsePollMs`.
 */
async function pollUntilRefused(instance: Instance, token: string, ackAt: number, scenario: PropagationScenario): Promise<PollRecorder> {
  const recorder = new PollRecorder();
  for (;;) {
    const sentAt = performance.now();
    if (sentAt - ackAt > scenario.windowMs) return recorder;
    const { status } = await instance.call('GET', '/me', bearer(token));
    recorder.record(status, sentAt - ackAt, performance.now() - sentAt);
    if (recorder.confirmed(scenario.confirmations)) return recorder;
    if (performance.now() - ackAt > scenario.finePollMs) await sleep(scenario.coarsePollMs);
  }
}

/**
 * One logout: a fresh token from instance 0, shown valid on every other instance first (a design that caches a
 * token must have it cached, or a refusal would prove nothing), logged out on instance 0, then polled on the others
 * at once and in parallel.
 */
async function probeOneLogout(instances: readonly Instance[], user: number, scenario: PropagationScenario): Promise<LogoutProbe> {
  const [origin, ...others] = instances as [Instance, ...Instance[]];
  const login = await origin.call('POST', '/login', { 'content-type': 'application/json' }, JSON.stringify({ username: `user${user}`, password: `pass${user}` }));
  if (login.status !== 200) return { logoutMs: NaN, instances: [], error: `login answered ${login.status}` };
  const issuedAt = performance.now();
  const token = (JSON.parse(login.text) as { token: string }).token;
  for (const [i, other] of others.entries()) {
    const { status } = await other.call('GET', '/me', bearer(token));
    if (status !== 200) return { logoutMs: NaN, instances: [], error: `instance ${i + 1} answered ${status} to the new token before the logout` };
  }
  const sentAt = performance.now();
  const logout = await origin.call('POST', '/logout', bearer(token));
  const ackAt = performance.now();
  if (logout.status !== 204) return { logoutMs: ackAt - sentAt, instances: [], error: `logout answered ${logout.status}` };
  const polled = await Promise.all(others.map((other) => pollUntilRefused(other, token, ackAt, scenario)));
  return { logoutMs: ackAt - sentAt, issuedToAckMs: ackAt - issuedAt, instances: polled.map((r) => r.result()) };
}

/**
 * One design: `--instances` server processes sharing one JWT key (made here, given to each through its
 * environment) and the run's Redis (through the latency proxy when there is one), each with the scenario's short
 * token lifetime; then the logouts, one after another.
 */
async function runOne(ctx: RunContext, scenario: PropagationScenario, cell: PropagationCell): Promise<void> {
  const { config, io } = ctx;
  const design = designOf(cell.strategy);
  const [impl] = config.jwtImpls;
  const keys = await createSharedJwtKeys(config.jwtAlg, io.serverEnv['AUTHBENCH_JWT_SECRET'] || undefined);
  const args = [
    ...(design.usesStore ? ctx.serverRedisArgs : []),
    ...(impl === undefined || !design.traits.verifiesJwt ? [] : jwtArgs(config, impl)),
    ...config.serverArgs,
    // Last, so that they win over the run's: the scenario's short lifetime is part of what it measures (jwt-refresh's
    // access token lives --access-ttl, the others' token --token-ttl).
    '--token-ttl',
    String(scenario.tokenTtlSec),
    '--access-ttl',
    String(scenario.tokenTtlSec),
  ];
  const servers: ServerProcess[] = [];
  const instances: Instance[] = [];
  try {
    for (let i = 0; i < config.instances; i++) {
      const server = await startServerProcess(cell.strategy, args, { ...io.serverEnv, AUTHBENCH_JWT_KEY: JSON.stringify(keys) });
      servers.push(server);
      instances.push(new Instance(server));
    }
    const logouts = config.quick ? scenario.quickLogouts : scenario.logouts;
    const probes: LogoutProbe[] = [];
    // The load: a paced GET /me stream on every polled instance, from before the first logout until after the last.
    const stopLoad = new AbortController();
    const onAbort = (): void => stopLoad.abort();
    io.signal.addEventListener('abort', onAbort, { once: true });
    let loads: Promise<PacedLoadResult[]> = Promise.resolve([]);
    if (cell.loadRps > 0) {
      const tokens = await httpTokenSource((servers[0] as ServerProcess).url, config.users, 8).issue(LOAD_TOKENS);
      const perInstance = cell.loadRps / (servers.length - 1);
      const polled = servers.slice(1);
      let started = 0;
      let allStarted = (): void => {};
      const measuring = new Promise<void>((resolve) => (allStarted = resolve));
      loads = Promise.all(
        polled.map((s) =>
          runPacedLoad(
            { url: s.url, rate: perInstance, connections: 16, durationSec: LOAD_BOUND_SEC, warmupSec: 0.5, timeoutSec: 5, validTokens: tokens, revokedTokens: [], revokedShare: 0, signal: stopLoad.signal },
            () => {
              if (++started === polled.length) allStarted();
            },
          ),
        ),
      );
      // The logouts meet a steady load: every stream past its warm-up (its thread can take seconds to start on a busy
      // machine, so this is awaited, not assumed after a fixed sleep), then LOAD_SETTLE_MS into its measured part.
      // The bound's timer is cleared: left pending, it would hold the process open for up to 30 s after the run.
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([measuring, loads.then(noop, noop), new Promise<void>((resolve) => (bound = setTimeout(resolve, LOAD_START_BOUND_MS)))]);
      clearTimeout(bound);
      await sleep(LOAD_SETTLE_MS);
    }
    try {
      for (let n = 0; n < logouts && !io.signal.aborted; n++) {
        probes.push(await probeOneLogout(instances, n % config.users, scenario));
        const crashed = servers.find((s) => s.exited() !== undefined);
        if (crashed !== undefined) throw new Error(`an instance ${crashed.exited()}: ${crashed.stderr().slice(-500)}`);
      }
    } finally {
      stopLoad.abort();
      io.signal.removeEventListener('abort', onAbort);
    }
    const loaded = await loads;
    if (loaded.length > 0) {
      const statusCounts: Record<string, number> = {};
      for (const l of loaded) for (const [k, v] of Object.entries(l.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v;
      const achieved = loaded.reduce((sum, l) => sum + l.sent / Math.max(l.sendingMs / 1000, 1e-9), 0);
      cell.load = { achievedRps: Math.round(achieved), statusCounts, errors: loaded.reduce((n, l) => n + l.errors + l.timeouts, 0) };
    }
    cell.logouts = probes;
    cell.summary = summarizePropagation(probes, scenario.windowMs);
    const failed = probes.filter((p) => p.error !== undefined);
    if (failed.length > 0) cell.errors.push(`${failed.length} of ${probes.length} logouts not probed: ${[...new Set(failed.map((p) => p.error))].join('; ')}`);
  } catch (err) {
    cell.status = 'errored';
    cell.errors.push(err instanceof Error ? err.message : String(err));
  } finally {
    await Promise.all(instances.map((i) => i.close().catch(() => undefined)));
    await Promise.all(servers.map((s) => s.stop()));
    await ctx.flushOwnedRedis().catch(() => undefined);
  }
}

/** The propagation cells: each design of the run, one after another. */
export async function runPropagationCells(ctx: RunContext): Promise<void> {
  const { config, io, result } = ctx;
  for (const name of config.scenarios.filter(isPropagationScenario)) {
    const scenario = scenarios[name];
    for (const load of LOADS) {
      const loadRps = load === 'idle' ? 0 : config.quick ? scenario.quickLoadRps : scenario.loadRps;
      for (const strategy of config.strategies) {
        if (io.signal.aborted) return;
        ctx.step(`${name} × ${strategy} (${config.instances} instances${loadRps > 0 ? `, ${loadRps} req/s of GET /me on the polled ones` : ''})`);
        const cell: PropagationCell = { scenario: name, strategy, instances: config.instances, loadRps, status: 'ok', errors: [] };
        (result.propagation ??= []).push(cell);
        await runOne(ctx, scenario, cell);
        if (io.signal.aborted) {
          result.propagation.pop(); // cut short: not a measurement
          return;
        }
        await io.checkpoint(result);
      }
    }
  }
}
