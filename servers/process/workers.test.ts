import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { after, describe, it } from 'node:test';
import { spawnCli, type CliProcess } from '../../test-support/cli-process.js';
import { sleep, waitFor } from '../../test-support/faults.js';
import { descendants, isAlive, portAccepts, type ProcInfo } from '../../test-support/processes.js';
import { CLI_PATH, runCli } from '../../test-support/server-process.js';

/** One request on a connection of its own, so that the primary hands each to the next worker (round robin). */
function fresh(url: string, init: { method?: string; token?: string; body?: string } = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: init.method ?? 'GET',
        agent: false,
        headers: { ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
        timeout: 5000,
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : (JSON.parse(text) as unknown) }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

async function loginFresh(base: string, n: number): Promise<string> {
  const r = await fresh(`${base}/login`, { method: 'POST', body: JSON.stringify({ username: `user${n}`, password: `pass${n}` }) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return (r.body as { token: string }).token;
}

const workersOf = (pid: number): ProcInfo[] => descendants(pid).filter((p) => p.cmdline.includes('process/worker.js'));

interface Started {
  readonly cli: CliProcess;
  readonly base: string;
  readonly port: number;
  readonly metricsUrl: string;
}

async function serveWorkers(args: readonly string[]): Promise<Started> {
  const cli = spawnCli(['serve', ...args]);
  const m = await cli.waitForStdout(/^listening on (http:\/\/127\.0\.0\.1:(\d+)) \(metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)\)\n/, 30_000);
  return { cli, base: m[1] as string, port: Number(m[2]), metricsUrl: m[3] as string };
}

describe('authbench serve --workers: bad values exit 2 naming the flag and the range', () => {
  for (const value of ['0', '65', '1.5', 'two']) {
    it(`--workers ${value}`, async () => {
      const r = await runCli(['serve', 'jwt', '--workers', value]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--workers must be an integer from 1 to 64/);
      assert.ok(r.stderr.includes(JSON.stringify(value)), r.stderr);
      assert.equal(r.stdout, '');
    });
  }
});

describe('authbench serve --workers 2 on port 0', () => {
  const running: CliProcess[] = [];
  after(async () => {
    for (const p of running) await p.stop();
  });

  it('prints exactly one listening line, and both workers answer on that one port', async () => {
    const s = await serveWorkers(['jwt', '--workers', '2', '--port', '0']);
    running.push(s.cli);
    assert.equal(s.cli.stdout(), `listening on ${s.base} (metrics: ${s.metricsUrl})\n`, 'one line, printed once both listen');
    const workers = workersOf(s.cli.child.pid ?? -1);
    assert.equal(workers.length, 2, JSON.stringify(workers));
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) seen.add(((await fresh(s.metricsUrl)).body as { pid: number }).pid);
    assert.deepEqual([...seen].sort(), workers.map((w) => w.pid).sort(), 'every worker served (the one admin port too), and nothing else did');
    assert.equal((await fresh(`${s.base}/metrics`)).status, 404, 'not on the API port');
  });

  for (const [strategy, alg] of [['jwt', 'HS256'], ['jwt', 'ES256'], ['jwt-blacklist', 'RS256'], ['redis-token', 'HS256']] as const) {
    it(`${strategy} ${alg}: a token issued by one worker is accepted by every worker, and a logout holds on all`, async () => {
      const s = await serveWorkers([strategy, '--workers', '2', '--jwt-alg', alg]);
      running.push(s.cli);
      const tokens = [await loginFresh(s.base, 1), await loginFresh(s.base, 2)];
      for (let i = 0; i < 6; i++) {
        const r = await fresh(`${s.base}/me`, { token: tokens[i % 2] as string });
        assert.equal(r.status, 200, `request ${i}: ${JSON.stringify(r.body)}`);
      }
      if (strategy === 'jwt') return;
      assert.equal((await fresh(`${s.base}/logout`, { method: 'POST', token: tokens[0] as string })).status, 204);
      for (let i = 0; i < 4; i++) assert.equal((await fresh(`${s.base}/me`, { token: tokens[0] as string })).status, 401, `revoked, request ${i}`);
    });
  }
});

describe('authbench serve --workers: signals and crashes', () => {
  const running: CliProcess[] = [];
  after(async () => {
    for (const p of running) await p.stop();
  });

  it('SIGTERM to the primary closes every worker and the Redis it started, frees the port and exits 0', async () => {
    const s = await serveWorkers(['redis-token', '--workers', '2']);
    running.push(s.cli);
    const children = descendants(s.cli.child.pid ?? -1);
    assert.ok(children.some((p) => p.cmdline.includes('redis-server')), 'it started a Redis');
    assert.equal(workersOf(s.cli.child.pid ?? -1).length, 2);
    s.cli.child.kill('SIGTERM');
    const exit = await s.cli.exited(20_000);
    assert.equal(exit.code, 0, s.cli.stderr());
    for (const p of children) assert.equal(isAlive(p.pid), false, `left behind: ${p.pid} ${p.cmdline}`);
    assert.equal(await portAccepts(s.port), false);
  });

  it('Ctrl-C (SIGINT to the whole process group) stops the server with exit 0, no worker reported as crashed', async () => {
    // A process group of its own, as a terminal gives a foreground job, so that the signal does not reach this test.
    const child = spawn(process.execPath, [CLI_PATH, 'serve', 'jwt', '--workers', '2'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor('the listening line', () => (out.includes('listening on') ? true : undefined), 30_000, 50);
      const workers = workersOf(child.pid ?? -1);
      assert.equal(workers.length, 2);
      process.kill(-(child.pid ?? 0), 'SIGINT');
      assert.equal(await exited, 0, err);
      assert.doesNotMatch(err, /worker \d+ .* (exited|was killed)/);
      for (const w of workers) await waitFor(`worker ${w.pid} to exit`, () => (isAlive(w.pid) ? undefined : true), 5000);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid ?? 0), 'SIGKILL');
    }
  });

  it('a worker killed with SIGKILL stops the whole server, exit 1, with a line naming the worker', async () => {
    const s = await serveWorkers(['jwt', '--workers', '2']);
    running.push(s.cli);
    const [victim, other] = workersOf(s.cli.child.pid ?? -1);
    assert.ok(victim !== undefined && other !== undefined);
    process.kill(victim.pid, 'SIGKILL');
    const exit = await s.cli.exited(20_000);
    assert.equal(exit.code, 1, s.cli.stderr());
    assert.match(s.cli.stderr(), new RegExp(`worker \\d+ \\(pid ${victim.pid}\\) was killed by SIGKILL; stopping the server`));
    await waitFor('the other worker to exit', () => (isAlive(other.pid) ? undefined : true), 5000);
  });

  it('a primary killed with SIGKILL leaves no worker behind: they exit when the IPC channel closes', async () => {
    const s = await serveWorkers(['jwt', '--workers', '2']);
    running.push(s.cli);
    const workers = workersOf(s.cli.child.pid ?? -1);
    assert.equal(workers.length, 2);
    s.cli.child.kill('SIGKILL');
    await s.cli.exited(5000);
    await sleep(100);
    for (const w of workers) await waitFor(`worker ${w.pid} to exit`, () => (isAlive(w.pid) ? undefined : true), 5000);
  });
});
