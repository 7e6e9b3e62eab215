import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import { median } from '../../lib/stats.js';
import { nodesOf } from '../run/redis.js';
import { parseRedisInfo } from './cost.js';

/**
 * What limited a load cell: the server, Redis, the load generator, the machine as a whole, or nothing (an open-loop
 * cell that got its rate). `unknown` where the figures that decide it are missing (no /proc: not Linux; a --target
 * server, whose process authbench cannot see).
 */
export type LimitLabel = 'server-bound' | 'redis-bound' | 'generator-bound' | 'machine-bound' | 'not saturated' | 'unknown';

export const LIMIT_LABELS: readonly LimitLabel[] = ['server-bound', 'redis-bound', 'generator-bound', 'machine-bound', 'not saturated', 'unknown'];

/** The figures of one measured window that decide its limit. CPU figures are CPU seconds per wall second (1.0 = one core busy). */
export interface LimitFigures {
  /** Every process of the server (a --workers primary and its workers), every thread; null when not known. */
  readonly serverCpuPerSec: number | null;
  /** The busiest main thread among the processes that serve HTTP (the one process, or each worker); null when not known. */
  readonly serverMainThreadCpuPerSec: number | null;
  /** Processes that serve HTTP: 1, or the worker count. */
  readonly serverWorkers: number;
  /** The busiest Redis (INFO cpu, used_cpu_user + used_cpu_sys): the one Redis, or the busiest master of a cluster. */
  readonly redisCpuPerSec: number | null;
  /** The load generator (this process: autocannon runs on its main thread). */
  readonly generatorCpuPerSec: number | null;
  /** Share of the machine's CPU time that was idle (idle + iowait in /proc/stat); null without /proc. */
  readonly machineIdle: number | null;
  /**
   * CPU seconds per second the machine was busy with anything but the server, Redis (every node) and this process
   * (the machine's busy time in /proc/stat, steal included, minus theirs): other jobs, a proxy, the kernel's own work.
   * Known only where this process's whole CPU is (the throughput cells: autocannon runs on its main thread); absent in
   * results from before 2026-12-03.
   */
  readonly othersCpuPerSec?: number | null;
  /** Open loop only: the rate asked for and the responses per second that came back. */
  readonly offeredPerSec?: number | undefined;
  readonly answeredPerSec?: number | undefined;
}

/** What one repetition's window showed, and the label decided from it. */
export interface Limits extends Omit<LimitFigures, 'offeredPerSec' | 'answeredPerSec'> {
  readonly windowSec: number;
  readonly label: LimitLabel;
}

/** A cell's limits over its repetitions: the median of each figure, and the label most repetitions got. */
export interface LimitsSummary extends Omit<Limits, 'windowSec'> {
  /** How many repetitions got each label. */
  readonly labels: Partial<Record<LimitLabel, number>>;
}

/** A process with one thread doing the work (a Node main thread, Redis, autocannon) binds at this share of a core. */
export const BIND_CPU = 0.9;
/**
 * Other processes using more than this share of a core (`othersCpuPerSec`, median over a cell's repetitions) make a
 * busy machine: a cell says so in a note, and `authbench baseline` refuses (bench/gate/quiet.ts). With nothing else
 * running on this project's 2-core machine it was 0–0.18 per 1 s window.
 */
export const BUSY_OTHERS_CPU = 0.2;
/** Below this idle share of the whole machine, no core was left for anyone: the machine binds. */
export const MACHINE_IDLE_BOUND = 0.1;
/** An open-loop cell that answered at least this share of its rate ran below capacity. */
export const RATE_MET = 0.95;

/**
 * The limit of one window, decided in this order:
 * 1. open loop and at least RATE_MET (95%) of the offered rate answered → `not saturated`: the rate, not a
 *    resource, set the pace;
 * 2. a process that binds → the one with the highest utilisation: the server when its busiest HTTP main thread
 *    reaches BIND_CPU (0.9 s of CPU per second), or when all its processes together reach BIND_CPU × workers (with
 *    N workers it has N main threads to fill); Redis (single-threaded) at BIND_CPU; the generator (one thread) at
 *    BIND_CPU. Ties go server, then Redis, then generator;
 * 3. no process binds but the machine was less than MACHINE_IDLE_BOUND (10%) idle → `machine-bound`: on a shared
 *    machine the processes took the cores from each other;
 * 4. otherwise `not saturated` (something else, e.g. latency or too few connections, set the pace) — but only if
 *    the server, Redis and machine figures are all known; else `unknown`.
 */
export function limitOf(f: LimitFigures): LimitLabel {
  if (f.offeredPerSec !== undefined && f.answeredPerSec !== undefined && f.offeredPerSec > 0 && f.answeredPerSec >= RATE_MET * f.offeredPerSec) return 'not saturated';
  const serverUse = [f.serverMainThreadCpuPerSec, f.serverCpuPerSec === null ? null : f.serverCpuPerSec / Math.max(1, f.serverWorkers)].filter((v): v is number => v !== null);
  const candidates: [LimitLabel, number | null][] = [
    ['server-bound', serverUse.length === 0 ? null : Math.max(...serverUse)],
    ['redis-bound', f.redisCpuPerSec],
    ['generator-bound', f.generatorCpuPerSec],
  ];
  let best: [LimitLabel, number] | undefined;
  for (const [label, use] of candidates) {
    if (use !== null && use >= BIND_CPU && (best === undefined || use > best[1])) best = [label, use];
  }
  if (best !== undefined) return best[0];
  if (f.machineIdle !== null && f.machineIdle < MACHINE_IDLE_BOUND) return 'machine-bound';
  return f.serverCpuPerSec === null || f.redisCpuPerSec === null || f.machineIdle === null ? 'unknown' : 'not saturated';
}

/** How bad a label is, for ties in a cell's majority: a resource that binds before one that did not. */
const SEVERITY: readonly LimitLabel[] = ['machine-bound', 'server-bound', 'redis-bound', 'generator-bound', 'unknown', 'not saturated'];

/** The limits of a cell: medians of the figures (null where no repetition knew one) and the majority label (ties: the worst). */
export function summariseLimits(all: readonly Limits[]): LimitsSummary | undefined {
  const first = all[0];
  if (first === undefined) return undefined;
  const med = (pick: (l: Limits) => number | null): number | null => {
    const known = all.map(pick).filter((v): v is number => v !== null);
    return known.length === 0 ? null : median(known);
  };
  const labels: Partial<Record<LimitLabel, number>> = {};
  for (const l of all) labels[l.label] = (labels[l.label] ?? 0) + 1;
  const top = Math.max(...Object.values(labels));
  const label = SEVERITY.find((l) => labels[l] === top) ?? first.label;
  return {
    serverCpuPerSec: med((l) => l.serverCpuPerSec),
    serverMainThreadCpuPerSec: med((l) => l.serverMainThreadCpuPerSec),
    serverWorkers: first.serverWorkers,
    redisCpuPerSec: med((l) => l.redisCpuPerSec),
    generatorCpuPerSec: med((l) => l.generatorCpuPerSec),
    machineIdle: med((l) => l.machineIdle),
    ...(all.some((l) => l.othersCpuPerSec !== undefined) ? { othersCpuPerSec: med((l) => l.othersCpuPerSec ?? null) } : {}),
    label,
    labels,
  };
}

// ---- /proc, parsed (pure) ----

/** The fields of /proc/<pid>/stat (or /proc/<pid>/task/<tid>/stat) that matter here; undefined if the text is not one. */
export function parseProcStat(text: string): { ppid: number; cpuTicks: number } | undefined {
  // The command name (field 2) is in parentheses and may itself hold spaces and parentheses: count from the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 2).trim().split(/\s+/);
  // After the name: state (3), ppid (4), … utime (14), stime (15).
  const ppid = Number(fields[1]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (![ppid, utime, stime].every(Number.isFinite) || fields.length < 13) return undefined;
  return { ppid, cpuTicks: utime + stime };
}

/** The aggregate `cpu` line of /proc/stat: idle (idle + iowait) and total jiffies; undefined if absent. */
export function parseMachineStat(text: string): { idle: number; total: number } | undefined {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (line === undefined) return undefined;
  // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already counted in user and nice.
  const n = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (n.length < 4 || n.some((v) => !Number.isFinite(v))) return undefined;
  return { idle: (n[3] ?? 0) + (n[4] ?? 0), total: n.reduce((a, b) => a + b, 0) };
}

/** Every pid below `root` (children, grandchildren, …) in a list of (pid, ppid). */
export function descendantsOf(processes: readonly { pid: number; ppid: number }[], root: number): number[] {
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const { pid, ppid } of processes) {
      if (ppid === p && !out.includes(pid)) {
        out.push(pid);
        walk(pid);
      }
    }
  };
  walk(root);
  return out;
}

// ---- snapshots (read the machine) and the window between two (pure) ----

/** What the machine, the server's processes and Redis said at one moment. Fields are null where nothing could be read. */
export interface LimitsSnapshot {
  readonly atMs: number;
  readonly machine: { idle: number; total: number } | null;
  /** CPU ticks of each server process (all threads) and of its main thread, by pid. */
  readonly server: ReadonlyMap<number, { process: number; main: number }> | null;
  /** The pids that serve HTTP: the workers, or the one process. */
  readonly serving: readonly number[];
  /** CPU seconds of each Redis (INFO cpu), in node order. */
  readonly redisCpuSec: readonly number[] | null;
  readonly ticksPerSec: number;
}

/** Clock ticks per second of /proc's utime, stime and jiffies (USER_HZ); 100 if getconf cannot tell. */
export function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
};

/** CPU seconds (user + system, all threads) `pid` has used, or null where /proc cannot tell. */
export function cpuSecondsOf(pid: number | undefined, ticksPerSec: number): number | null {
  if (pid === undefined) return null;
  const stat = parseProcStat(readText(`/proc/${pid}/stat`) ?? '');
  return stat === undefined ? null : stat.cpuTicks / ticksPerSec;
}

/** The live processes from /proc, as (pid, ppid); empty without /proc. */
function processTable(): { pid: number; ppid: number }[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const s = parseProcStat(readText(`/proc/${e}/stat`) ?? '');
    return s === undefined ? [] : [{ pid: Number(e), ppid: s.ppid }];
  });
}

/** Where to look: the server's root process (with its workers below it) and the run's Redis. */
export interface LimitsProbe {
  /** The pid of the server process authbench started; undefined for --target. */
  readonly serverPid: number | undefined;
  /** The Redis (or cluster) of the run; undefined when there is none to read. */
  readonly redis: Redis | Cluster | undefined;
  readonly ticksPerSec: number;
  /** The pids to read, found by the first snapshot of a window and reused by the second. */
  readonly pids?: { readonly all: readonly number[]; readonly serving: readonly number[] };
}

async function redisCpu(client: Redis | Cluster | undefined): Promise<number[] | null> {
  if (client === undefined) return null;
  try {
    return await Promise.all(nodesOf(client).map(async (node) => parseRedisInfo('', await node.info('cpu')).cpuSec));
  } catch {
    return null;
  }
}

/**
 * Reads the machine, the server's processes and Redis. The server's workers are the processes below its pid (found
 * here unless `probe.pids` says which); without /proc the machine and server figures are null, never a throw.
 */
export async function snapshotLimits(probe: LimitsProbe): Promise<LimitsSnapshot> {
  let pids = probe.pids;
  if (pids === undefined && probe.serverPid !== undefined) {
    const below = descendantsOf(processTable(), probe.serverPid);
    pids = { all: [probe.serverPid, ...below], serving: below.length > 0 ? below : [probe.serverPid] };
  }
  const redisCpuSec = await redisCpu(probe.redis);
  const atMs = performance.now();
  const machine = parseMachineStat(readText('/proc/stat') ?? '') ?? null;
  let server: Map<number, { process: number; main: number }> | null = null;
  if (pids !== undefined) {
    server = new Map();
    for (const pid of pids.all) {
      const whole = parseProcStat(readText(`/proc/${pid}/stat`) ?? '');
      const main = parseProcStat(readText(`/proc/${pid}/task/${pid}/stat`) ?? '');
      if (whole === undefined || main === undefined) {
        server = null;
        break;
      }
      server.set(pid, { process: whole.cpuTicks, main: main.cpuTicks });
    }
  }
  return { atMs, machine, server, serving: pids?.serving ?? [], redisCpuSec, ticksPerSec: probe.ticksPerSec };
}

/** The pids a snapshot read, to read the same ones at the end of the window. */
export const pidsOf = (s: LimitsSnapshot): LimitsProbe['pids'] => (s.server === null ? undefined : { all: [...s.server.keys()], serving: s.serving });

/**
 * The limits of the window between two snapshots. `activeSec` is how long the load actually ran in it (a
 * fixed-amount phase ends at its last answer, before autocannon notices): process CPU is divided by it, and the
 * machine's idle time after the load is taken out (the machine is assumed to have been idle then).
 */
export function limitsBetween(
  before: LimitsSnapshot,
  after: LimitsSnapshot,
  extra: {
    activeSec: number;
    generatorCpuPerSec: number | null;
    /** This whole process's CPU per second over the load (every thread); with it, othersCpuPerSec is computed. */
    runnerCpuPerSec?: number | undefined;
    offeredPerSec?: number | undefined;
    answeredPerSec?: number | undefined;
  },
): Limits {
  const windowSec = Math.max((after.atMs - before.atMs) / 1000, 1e-9);
  const activeSec = Math.min(windowSec, Math.max(extra.activeSec, 1e-9));
  const ticks = after.ticksPerSec;
  let machineIdle: number | null = null;
  // The machine's busy CPU per second of load: busy jiffies all fall in the active part (the tail is taken as idle).
  let machineBusyCpuPerSec: number | null = null;
  if (before.machine !== null && after.machine !== null) {
    const total = after.machine.total - before.machine.total;
    const tail = total * (1 - activeSec / windowSec);
    const idle = after.machine.idle - before.machine.idle - tail;
    machineIdle = total - tail > 0 ? Math.min(1, Math.max(0, idle / (total - tail))) : null;
    machineBusyCpuPerSec = (total - (after.machine.idle - before.machine.idle)) / ticks / activeSec;
  }
  let serverCpuPerSec: number | null = null;
  let serverMainThreadCpuPerSec: number | null = null;
  const b = before.server;
  const a = after.server;
  if (b !== null && a !== null && [...b.keys()].every((pid) => a.has(pid))) {
    const delta = (pid: number, key: 'process' | 'main'): number => ((a.get(pid)?.[key] ?? 0) - (b.get(pid)?.[key] ?? 0)) / ticks / activeSec;
    serverCpuPerSec = [...b.keys()].reduce((sum, pid) => sum + delta(pid, 'process'), 0);
    serverMainThreadCpuPerSec = Math.max(...before.serving.map((pid) => delta(pid, 'main')));
  }
  let redisCpuPerSec: number | null = null;
  let redisTotalCpuPerSec: number | null = null;
  if (before.redisCpuSec !== null && after.redisCpuSec !== null && before.redisCpuSec.length === after.redisCpuSec.length && before.redisCpuSec.length > 0) {
    const perNode = after.redisCpuSec.map((s, i) => (s - (before.redisCpuSec?.[i] ?? 0)) / activeSec);
    redisCpuPerSec = Math.max(...perNode);
    redisTotalCpuPerSec = perNode.reduce((a, b) => a + b, 0);
  }
  // No Redis to read (a design run without one) counts as none used.
  const ours = [serverCpuPerSec, before.redisCpuSec === null ? 0 : redisTotalCpuPerSec, extra.runnerCpuPerSec ?? null];
  const othersCpuPerSec = machineBusyCpuPerSec === null || ours.some((v) => v === null) ? null : Math.max(0, machineBusyCpuPerSec - (ours as number[]).reduce((a, b) => a + b, 0));
  const measured = {
    serverCpuPerSec,
    serverMainThreadCpuPerSec,
    serverWorkers: Math.max(1, before.serving.length),
    redisCpuPerSec,
    generatorCpuPerSec: extra.generatorCpuPerSec,
    machineIdle,
  };
  return { windowSec, ...measured, ...(extra.runnerCpuPerSec === undefined ? {} : { othersCpuPerSec }), label: limitOf({ ...measured, offeredPerSec: extra.offeredPerSec, answeredPerSec: extra.answeredPerSec }) };
}
