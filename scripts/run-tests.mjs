#!/usr/bin/env node
// Runs the compiled tests (dist/, after `npm run build`): `node scripts/run-tests.mjs` for `npm test`, `--slow` for
// `npm run test:slow` (the *.slow.test.js files, with AUTHBENCH_SLOW=1). `--dist DIR` runs another build's tests (a
// contributor's `tsc --outDir dist-me` while a bench uses dist/).
//
// `npm test` runs in two groups. First every file that does not drive load to saturation, CONCURRENCY files at a
// time: they mostly wait on processes, sockets and timers (the outage and propagation runs wait on their phases and
// on token expiry, at a few hundred requests per second), so they overlap well even on 2 cores. Then, one at a time,
// the files in SERIAL: they run the real CLI at saturation or check what a measurement shows, so another file beside
// them would take their CPU (a token pool answered 503 when four ran at once) and change what they measure.
// A file is named here by its path under dist/; one that no longer exists stops the run, so the list cannot rot.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const CONCURRENCY = 4;
const SERIAL = [
  'bench/load/paced.test.js', // paced open-loop load; its pacer's lag is part of what it checks
  'cli/calibrate.test.js', // measures the load generators
  'cli/capacity.test.js', // steps an open-loop rate
  'cli/run-extra-design.test.js', // a run of every stage
  'cli/run-scale.test.js', // runs with workers, a target and a Redis Cluster
  'cli/run.test.js', // run --quick, a killed server and Ctrl-C mid-run
  'scenarios/session.test.js', // session load, closed loop and paced
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

const run = (group, concurrency, env = process.env) => {
  if (group.length === 0) return 0;
  const started = Date.now();
  const args = ['--test', `--test-concurrency=${concurrency}`, ...group.map((f) => join(root, f))];
  const status = spawnSync(process.execPath, args, { stdio: 'inherit', env }).status ?? 1;
  console.error(`run-tests: ${group.length} files, ${concurrency} at a time: ${((Date.now() - started) / 1000).toFixed(0)} s, exit ${status}`);
  return status;
};

// The slow files two at a time: the outage runs and the cluster failover wait on their fault phases at 200 req/s,
// and none of them asserts a timing, only what happened.
const SLOW_CONCURRENCY = 2;
if (slow) {
  process.exit(run(files.filter((f) => f.endsWith('.slow.test.js')), SLOW_CONCURRENCY, { ...process.env, AUTHBENCH_SLOW: '1' }));
}
const missing = SERIAL.filter((f) => !existsSync(join(root, f)));
if (missing.length > 0) {
  console.error(`scripts/run-tests.mjs: SERIAL names files that do not exist: ${missing.join(', ')}`);
  process.exit(2);
}
const fast = files.filter((f) => !f.endsWith('.slow.test.js'));
const concurrent = fast.filter((f) => !SERIAL.includes(f));
const serial = fast.filter((f) => SERIAL.includes(f));
const first = run(concurrent, CONCURRENCY);
const second = run(serial, 1);
process.exit(first !== 0 ? first : second);
