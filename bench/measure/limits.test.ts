import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LIMIT_LABELS,
  descendantsOf,
  limitOf,
  limitsBetween,
  parseMachineStat,
  parseProcStat,
  snapshotLimits,
  summariseLimits,
  type LimitFigures,
  type LimitLabel,
  type Limits,
  type LimitsSnapshot,
} from './limits.js';

// A real line of /proc/<pid>/stat, with a command name holding spaces and a parenthesis.
const PROC_STAT = '4242 (node (worker) 1) S 4200 4200 3173 0 -1 4194304 100 0 0 0 250 75 3 1 20 0 11 0 1284144 3133440 360 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';
const MACHINE_STAT = `cpu  1000 10 200 5000 100 0 50 40 30 0
cpu0 500 5 100 2500 50 0 25 20 15 0
intr 123 0 0
`;

describe('/proc parsing', () => {
  it('reads ppid and utime + stime of a process, whatever its command name holds', () => {
    assert.deepEqual(parseProcStat(PROC_STAT), { ppid: 4200, cpuTicks: 325 });
  });

  it('returns undefined for text that is not a stat line', () => {
    assert.equal(parseProcStat(''), undefined);
    assert.equal(parseProcStat('1 (x) S 0'), undefined);
  });

  it('reads idle + iowait and the total of the aggregate cpu line, guest time not counted twice', () => {
    assert.deepEqual(parseMachineStat(MACHINE_STAT), { idle: 5100, total: 1000 + 10 + 200 + 5000 + 100 + 0 + 50 + 40 });
  });

  it('returns undefined without an aggregate cpu line', () => {
    assert.equal(parseMachineStat('cpu0 1 2 3 4\n'), undefined);
    assert.equal(parseMachineStat(''), undefined);
  });

  it('finds every process below a root, grandchildren included, and nothing beside it', () => {
    const table = [
      { pid: 10, ppid: 1 },
      { pid: 11, ppid: 10 },
      { pid: 12, ppid: 10 },
      { pid: 13, ppid: 12 },
      { pid: 20, ppid: 1 },
    ];
    assert.deepEqual(descendantsOf(table, 10).sort(), [11, 12, 13]);
    assert.deepEqual(descendantsOf(table, 20), []);
  });
});

const figures = (over: Partial<LimitFigures> = {}): LimitFigures => ({
  serverCpuPerSec: 0.5,
  serverMainThreadCpuPerSec: 0.45,
  serverWorkers: 1,
  redisCpuPerSec: 0.2,
  generatorCpuPerSec: 0.4,
  machineIdle: 0.4,
  ...over,
});

describe('what limited a window', () => {
  const cases: [string, Partial<LimitFigures>, LimitLabel][] = [
    ['nothing busy, machine idle', {}, 'not saturated'],
    ['the server main thread at 0.95 of a core', { serverMainThreadCpuPerSec: 0.95, serverCpuPerSec: 1.1 }, 'server-bound'],
    ['a one-process server whose threads together pass 0.9 (work on the thread pool)', { serverMainThreadCpuPerSec: 0.6, serverCpuPerSec: 0.92 }, 'server-bound'],
    ['exactly at the threshold binds', { serverMainThreadCpuPerSec: 0.9, serverCpuPerSec: 0.9 }, 'server-bound'],
    ['two workers at 1.2 CPU/s together: neither binds, the machine does', { serverWorkers: 2, serverCpuPerSec: 1.2, serverMainThreadCpuPerSec: 0.6, machineIdle: 0.02 }, 'machine-bound'],
    ['two workers at 1.85 CPU/s together bind', { serverWorkers: 2, serverCpuPerSec: 1.85, serverMainThreadCpuPerSec: 0.85, machineIdle: 0.02 }, 'server-bound'],
    ['one of two workers whose main thread is full binds', { serverWorkers: 2, serverCpuPerSec: 1.2, serverMainThreadCpuPerSec: 0.93 }, 'server-bound'],
    ['Redis at 0.95', { redisCpuPerSec: 0.95 }, 'redis-bound'],
    ['the generator at 0.97', { generatorCpuPerSec: 0.97 }, 'generator-bound'],
    ['the busiest of several that bind wins', { serverMainThreadCpuPerSec: 0.92, serverCpuPerSec: 0.92, generatorCpuPerSec: 0.99 }, 'generator-bound'],
    ['a tie goes to the server', { serverMainThreadCpuPerSec: 0.95, serverCpuPerSec: 0.95, redisCpuPerSec: 0.95 }, 'server-bound'],
    ['a process that binds beats a busy machine', { redisCpuPerSec: 0.91, machineIdle: 0.01 }, 'redis-bound'],
    ['no process binds, machine 5% idle', { machineIdle: 0.05 }, 'machine-bound'],
    ['machine 10% idle is not bound', { machineIdle: 0.1 }, 'not saturated'],
    ['open loop that got its rate, however busy', { offeredPerSec: 1000, answeredPerSec: 990, serverMainThreadCpuPerSec: 0.95, machineIdle: 0.01 }, 'not saturated'],
    ['open loop that fell short of its rate is judged as a closed loop', { offeredPerSec: 1000, answeredPerSec: 800, serverMainThreadCpuPerSec: 0.95 }, 'server-bound'],
    ['no /proc: no server or machine figures', { serverCpuPerSec: null, serverMainThreadCpuPerSec: null, machineIdle: null }, 'unknown'],
    ['no /proc but the generator binds', { serverCpuPerSec: null, serverMainThreadCpuPerSec: null, machineIdle: null, generatorCpuPerSec: 0.95 }, 'generator-bound'],
    ['a --target: no server or Redis figures', { serverCpuPerSec: null, serverMainThreadCpuPerSec: null, redisCpuPerSec: null }, 'unknown'],
    ['a --target on a busy machine', { serverCpuPerSec: null, serverMainThreadCpuPerSec: null, redisCpuPerSec: null, machineIdle: 0.03 }, 'machine-bound'],
    ['only the Redis figure missing: cannot rule Redis out', { redisCpuPerSec: null }, 'unknown'],
  ];
  for (const [name, over, label] of cases) {
    it(`${name} → ${label}`, () => {
      assert.equal(limitOf(figures(over)), label);
    });
  }
});

const snap = (over: Partial<LimitsSnapshot> = {}): LimitsSnapshot => ({
  atMs: 0,
  machine: { idle: 0, total: 0 },
  server: new Map([[100, { process: 0, main: 0 }]]),
  serving: [100],
  redisCpuSec: [10],
  ticksPerSec: 100,
  ...over,
});

describe('the window between two snapshots', () => {
  it('turns ticks, jiffies and Redis seconds into CPU per second and an idle share', () => {
    const l = limitsBetween(
      snap(),
      snap({ atMs: 2000, machine: { idle: 100, total: 400 }, server: new Map([[100, { process: 190, main: 180 }]]), redisCpuSec: [10.5] }),
      { activeSec: 2, generatorCpuPerSec: 0.5 },
    );
    assert.equal(l.windowSec, 2);
    assert.equal(l.serverCpuPerSec, 0.95);
    assert.equal(l.serverMainThreadCpuPerSec, 0.9);
    assert.equal(l.redisCpuPerSec, 0.25);
    assert.equal(l.machineIdle, 0.25);
    assert.equal(l.serverWorkers, 1);
    assert.equal(l.label, 'server-bound');
  });

  it('sums a primary and its workers, and takes the busiest worker main thread and the busiest Redis master', () => {
    const before = snap({
      server: new Map([
        [1, { process: 0, main: 0 }],
        [2, { process: 0, main: 0 }],
        [3, { process: 0, main: 0 }],
      ]),
      serving: [2, 3],
      redisCpuSec: [1, 1, 1],
    });
    const after = snap({
      atMs: 1000,
      machine: { idle: 50, total: 200 },
      server: new Map([
        [1, { process: 2, main: 2 }],
        [2, { process: 70, main: 60 }],
        [3, { process: 50, main: 40 }],
      ]),
      serving: [2, 3],
      redisCpuSec: [1.1, 1.3, 1.2],
    });
    const l = limitsBetween(before, after, { activeSec: 1, generatorCpuPerSec: 0.3 });
    assert.ok(Math.abs((l.serverCpuPerSec ?? 0) - 1.22) < 1e-9, String(l.serverCpuPerSec));
    assert.equal(l.serverMainThreadCpuPerSec, 0.6);
    assert.equal(l.serverWorkers, 2);
    assert.ok(Math.abs((l.redisCpuPerSec ?? 0) - 0.3) < 1e-9, String(l.redisCpuPerSec));
  });

  it('divides by the time the load ran and takes the idle tail after it out of the machine figure', () => {
    // 2 s window, load ran 1.5 s; the last 0.5 s (100 of 400 jiffies) was all idle.
    const l = limitsBetween(snap(), snap({ atMs: 2000, machine: { idle: 130, total: 400 }, server: new Map([[100, { process: 75, main: 75 }]]) }), {
      activeSec: 1.5,
      generatorCpuPerSec: 0.5,
    });
    assert.equal(l.serverCpuPerSec, 0.5);
    assert.equal(l.machineIdle, 0.1);
  });

  it('counts what the machine spent beyond the server, every Redis node and this process as others', () => {
    // 1 s of load on 2 cores: 150 of 200 jiffies busy (1.5 CPU/s); server 0.9, Redis 0.1 + 0.05, this process 0.35.
    const before = snap({ redisCpuSec: [1, 1] });
    const after = snap({ atMs: 1000, machine: { idle: 50, total: 200 }, server: new Map([[100, { process: 90, main: 90 }]]), redisCpuSec: [1.1, 1.05] });
    const l = limitsBetween(before, after, { activeSec: 1, generatorCpuPerSec: 0.35, runnerCpuPerSec: 0.35 });
    assert.ok(Math.abs((l.othersCpuPerSec ?? NaN) - 0.1) < 1e-9, String(l.othersCpuPerSec));
    // The busy jiffies are divided by the time the load ran, not by the window (its idle tail adds no busy time).
    const tail = limitsBetween(before, snap({ atMs: 2000, machine: { idle: 250, total: 400 }, server: new Map([[100, { process: 90, main: 90 }]]), redisCpuSec: [1.1, 1.05] }), { activeSec: 1, generatorCpuPerSec: 0.35, runnerCpuPerSec: 0.35 });
    assert.ok(Math.abs((tail.othersCpuPerSec ?? NaN) - 0.1) < 1e-9, String(tail.othersCpuPerSec));
    // Never below 0 (the figures are read at slightly different moments).
    const over = limitsBetween(before, after, { activeSec: 1, generatorCpuPerSec: 0.6, runnerCpuPerSec: 0.6 });
    assert.equal(over.othersCpuPerSec, 0);
    // Unknown without this process's CPU (the field is absent), or without the server's or the machine's.
    assert.equal('othersCpuPerSec' in limitsBetween(before, after, { activeSec: 1, generatorCpuPerSec: 0.35 }), false);
    assert.equal(limitsBetween(before, snap({ atMs: 1000, machine: { idle: 50, total: 200 }, server: new Map([[999, { process: 5, main: 5 }]]) }), { activeSec: 1, generatorCpuPerSec: 0.35, runnerCpuPerSec: 0.35 }).othersCpuPerSec, null);
    assert.equal(limitsBetween(snap({ machine: null }), snap({ atMs: 1000, machine: null }), { activeSec: 1, generatorCpuPerSec: 0.35, runnerCpuPerSec: 0.35 }).othersCpuPerSec, null);
  });

  it('leaves the server figures out when a process was gone at the end, and everything out without /proc', () => {
    const gone = limitsBetween(snap(), snap({ atMs: 1000, server: new Map([[999, { process: 5, main: 5 }]]) }), { activeSec: 1, generatorCpuPerSec: 0.5 });
    assert.equal(gone.serverCpuPerSec, null);
    const none = limitsBetween(snap({ machine: null, server: null, serving: [] }), snap({ atMs: 1000, machine: null, server: null, serving: [] }), { activeSec: 1, generatorCpuPerSec: 0.5 });
    assert.equal(none.machineIdle, null);
    assert.equal(none.serverCpuPerSec, null);
    assert.equal(none.label, 'unknown');
  });
});

describe('a cell over its repetitions', () => {
  const rep = (label: LimitLabel, server: number | null): Limits => ({ ...figures({ serverCpuPerSec: server }), windowSec: 1, label });

  it('takes the median of each figure, ignoring unknowns, and counts the labels', () => {
    const s = summariseLimits([rep('server-bound', 1), rep('server-bound', 0.8), rep('machine-bound', null)]);
    assert.equal(s?.serverCpuPerSec, 0.9);
    assert.equal(s?.label, 'server-bound');
    assert.deepEqual(s?.labels, { 'server-bound': 2, 'machine-bound': 1 });
    assert.equal(s !== undefined && 'othersCpuPerSec' in s, false, 'no repetition knew the others: no field');
    const o = summariseLimits([{ ...rep('server-bound', 1), othersCpuPerSec: 0.3 }, { ...rep('server-bound', 1), othersCpuPerSec: 0.1 }, rep('server-bound', 1)]);
    assert.ok(Math.abs((o?.othersCpuPerSec ?? NaN) - 0.2) < 1e-9, String(o?.othersCpuPerSec));
  });

  it('breaks a tie by the worst label', () => {
    assert.equal(summariseLimits([rep('not saturated', 1), rep('redis-bound', 1)])?.label, 'redis-bound');
    assert.equal(summariseLimits([rep('server-bound', 1), rep('machine-bound', 1)])?.label, 'machine-bound');
  });

  it('has nothing to say about no repetitions', () => {
    assert.equal(summariseLimits([]), undefined);
  });
});

describe('a snapshot of this machine', () => {
  it('reads without throwing and gives figures that are numbers or null', async () => {
    const s = await snapshotLimits({ serverPid: process.pid, redis: undefined, ticksPerSec: 100 });
    assert.equal(s.redisCpuSec, null);
    if (process.platform === 'linux') {
      assert.ok(s.machine !== null && s.machine.total > 0, 'Linux has /proc/stat');
      assert.ok(s.server?.has(process.pid), 'this process was read');
    }
    const l = limitsBetween(s, await snapshotLimits({ serverPid: process.pid, redis: undefined, ticksPerSec: 100 }), { activeSec: 1, generatorCpuPerSec: 0 });
    assert.ok(LIMIT_LABELS.includes(l.label));
    for (const v of [l.serverCpuPerSec, l.machineIdle]) assert.ok(v === null || v >= 0, String(v));
  });
});
