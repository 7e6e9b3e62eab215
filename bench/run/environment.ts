import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { Redis } from 'ioredis';

/** Where and with what the numbers were measured. Goes into every result file and table header. */
export interface Environment {
  readonly date: string;
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly totalMemoryMiB: number;
  readonly loadAverage: readonly number[];
  readonly redisVersion: string;
  readonly redisSource: string;
  readonly packages: Record<string, string>;
  readonly authbenchVersion: string;
  readonly gitCommit: string;
  readonly gitDirty: boolean;
}

const MEASURED_PACKAGES = ['fastify', 'ioredis', 'jose', 'fast-jwt', 'autocannon'] as const;

/** The installed version of a package, from its package.json (`unknown` when it cannot be found). */
export function packageVersion(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    const path = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

async function redisVersion(url: string): Promise<string> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const info = await client.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  } finally {
    client.disconnect();
  }
}

export async function collectEnvironment(redisUrl: string, redisSource: string, now = new Date()): Promise<Environment> {
  const cpus = os.cpus();
  const root = new URL('../../../package.json', import.meta.url);
  let own = 'unknown';
  try {
    own = (JSON.parse(readFileSync(root, 'utf8')) as { version: string }).version;
  } catch {
    // Running from somewhere without the package file: leave unknown.
  }
  return {
    date: now.toISOString(),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    arch: process.arch,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
    // '' = no Redis of the run's own (--target).
    redisVersion: redisUrl === '' ? 'none' : await redisVersion(redisUrl),
    redisSource,
    packages: Object.fromEntries(MEASURED_PACKAGES.map((p) => [p, packageVersion(p)])),
    authbenchVersion: own,
    gitCommit: git(['rev-parse', 'HEAD']) ?? 'unknown',
    gitDirty: (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '',
  };
}
