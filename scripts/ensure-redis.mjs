#!/usr/bin/env node
// Runs before `npm test` and `npm run bench` (package.json), before the build: a fresh clone must find a Redis.
// With redis-server on PATH it does nothing. Without it, as root with apt-get (a fresh Debian or Ubuntu machine), it
// installs Debian's redis-server package the way .ci/run does. Otherwise: `test` stops with one message naming the
// three ways to get a Redis (the tests need the binary); `bench` says so and goes on, since `--redis-url` or a Docker
// engine may do, and the run itself stops before anything starts when none does.
// AUTHBENCH_NO_INSTALL=1: never install (a machine whose packages are not authbench's to change).
import { execFileSync, spawnSync } from 'node:child_process';

const mode = process.argv[2] === 'bench' ? 'bench' : 'test';
const onPath = (command) => spawnSync('/bin/sh', ['-c', `command -v ${command}`], { stdio: 'ignore', env: process.env }).status === 0;

if (!onPath('redis-server')) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (process.env.AUTHBENCH_NO_INSTALL !== '1' && root && onPath('apt-get')) {
    console.error("redis-server not found: installing Debian's redis-server package (as .ci/run does)");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    // The package starts a system service on 6379 on some images; authbench starts its own on free ports.
    spawnSync('/bin/sh', ['-c', 'service redis-server stop'], { stdio: 'ignore' });
  }
}
if (!onPath('redis-server')) {
  const ways = [
    '  1. install redis-server on PATH (Debian/Ubuntu: apt-get install redis-server; as root, npm test and npm run bench do it)',
    '  2. pass a URL: npm run bench -- --redis-url redis://127.0.0.1:6379 (or set REDIS_URL)',
    '  3. run a Docker engine: npm run bench starts redis:7-alpine through testcontainers',
  ];
  if (mode === 'test') {
    console.error(['authbench: the tests need redis-server on PATH, and it is not there. Ways to get a Redis:', ...ways].join('\n'));
    process.exit(1);
  }
  console.error(['authbench: no redis-server on PATH; the run will use --redis-url or Docker if it can. Ways to get a Redis:', ...ways].join('\n'));
}
