#!/usr/bin/env node
// Runs the compiled tests (dist/, after `npm run build`): `node scripts/run-tests.mjs` for `npm test`, `--slow` for
// `npm run test:slow` (the *.slow.test.js files, with AUTHBENCH_SLOW=1). `--dist DIR` runs another build's tests (a
// contributor's `tsc --outDir dist-me` while a bench uses dist/).
//
// `npm test` runs in two groups. First every file not in SERIAL, CONCURRENCY files at a time: most wait on processes,
// sockets and timers, and those that run the CLI under load (run-scale, run-failures, the outage and propagation
// runs) assert what happened, not how fast, so they may share the 2 cores (a token pool retries a login that a busy
// machine answered 503). Then, one at a time, the files in SERIAL: they check what a measurement shows (a pacer's
// lag, a capacity step, the default run's counts and costs), which another file's CPU would change.
// A file is named here by its path under dist/; one that no longer exists stops the run, so the lists cannot rot.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const CONCURRENCY = 4;
const SERIAL = [
  'bench/load/paced.test.js', // paced open-loop load; its pacer's lag is part of what it checks
  'cli/calibrate.test.js', // measures the load generators
  'cli/capacity.test.js', // steps an open-loop rate
  'cli/run.test.js', // run --quick: every default cell, its counts, costs and limits
  'scenarios/session.test.js', // session load, closed loop and paced
];

// The longest files of the concurrent group, started first so that none of them begins near the end and runs on
// alone (the rest go in name order).
const FIRST = [
  'bench/run/propagation-cells.test.js',
  'bench/run/outage-cells.test.js',
  'cli/run-scale.test.js',
  'cli/run-extra-design.test.js',
  'cli/run-failures.test.js',
  'servers/jwt-security.test.js',
  'servers/process/serve.test.js',
];

const slow = process.argv.includes('--slow');
const distAt = process.argv.indexOf('--dist');
const root = distAt > 0 ? (process.argv[distAt + 1] ?? 'dist') : 'dist';
const files = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (entry.name.endsWith('.test.js')) files.push(relative(root, path));
  }
};
walk(root);
files.sort();

// Each file runs as its own process, `node FILE` (node:test runs a file's tests when it is run directly, and exits 1
// when one fails; without `--test` no runner process stands between, which saved 0.1 s of CPU per file), at most
// `concurrency` at once. Its output is printed whole when it ends, as node's own runner does with several files, and
// its wall time is kept for the summary at the end.
const times = [];
const failed = [];
const running = new Set();
let stopping = false;
// A signal to this script (Ctrl-C reaches the whole process group anyway; `timeout` or a CI cancel sends SIGTERM to
// it alone) goes on to the files still running, whose output is piped here and would otherwise fail on a closed pipe.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of running) child.kill(signal);
    process.exitCode = signal === 'SIGINT' ? 130 : 143;
    stopping = true;
  });
}
const runFile = (file, env) =>
  new Promise((done) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--test-reporter=spec', join(root, file)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    child.on('close', (code, signal) => {
      running.delete(child);
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(`# ${file} (${seconds.toFixed(1)} s)\n`);
      process.stdout.write(Buffer.concat(chunks));
      times.push({ file, seconds });
      if (code !== 0) failed.push(`${file} (${signal ?? `exit ${code}`})`);
      done(code === 0 ? 0 : 1);
    });
  });

const run = async (group, concurrency, env = process.env) => {
  if (group.length === 0) return 0;
  const started = Date.now();
  const queue = [...group];
  let status = 0;
  const lane = async () => {
    for (let file = queue.shift(); file !== undefined && !stopping; file = queue.shift()) {
      // Awaited first: `status = Math.max(status, await …)` read `status` before the await, and a lane that ended
      // later wrote back the 0 it had read, hiding another lane's failure (a failed file, and npm test exited 0).
      const code = await runFile(file, env);
      status = Math.max(status, code);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, group.length) }, lane));
  console.error(`run-tests: ${group.length} files, ${concurrency} at a time: ${((Date.now() - started) / 1000).toFixed(0)} s, exit ${status}`);
  return status;
};

// Where the time went: the slowest files (wall time, beside the others of their group) and the files that failed.
const summary = () => {
  const slowest = [...times].sort((a, b) => b.seconds - a.seconds).slice(0, 10);
  console.error('run-tests: slowest files (wall time, with the others of their group running):');
  for (const { file, seconds } of slowest) console.error(`  ${seconds.toFixed(1).padStart(6)} s  ${file}`);
  if (failed.length > 0) console.error(`run-tests: ${failed.length} file(s) failed: ${failed.join(', ')}`);
};

// The slow files two at a time: the outage runs and the cluster failover wait on their fault phases at 200 req/s,
// and none of them asserts a timing, only what happened.
const SLOW_CONCURRENCY = 2;
if (slow) {
  const status = await run(files.filter((f) => f.endsWith('.slow.test.js')), SLOW_CONCURRENCY, { ...process.env, AUTHBENCH_SLOW: '1' });
  summary();
  process.exit(process.exitCode ?? status);
}
const missing = [...SERIAL, ...FIRST].filter((f) => !existsSync(join(root, f)));
if (missing.length > 0) {
  console.error(`scripts/run-tests.mjs: SERIAL or FIRST names files that do not exist: ${missing.join(', ')}`);
  process.exit(2);
}
const fast = files.filter((f) => !f.endsWith('.slow.test.js'));
const concurrent = [...FIRST, ...fast.filter((f) => !SERIAL.includes(f) && !FIRST.includes(f))];
const serial = fast.filter((f) => SERIAL.includes(f));
const first = await run(concurrent, CONCURRENCY);
const second = stopping ? 1 : await run(serial, 1);
summary();
process.exit(process.exitCode ?? (first !== 0 ? first : second));
