import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthbenchError } from '../../lib/errors.js';
import { resolveRunConfig, type RunFlags } from './config.js';
import { parseTarget, parseWorkerList } from './scale.js';

const rejects = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AuthbenchError);
    assert.equal(err.code, 'ERR_INVALID_OPTION');
    assert.match(err.message, pattern);
    return true;
  });
};

const resolve = (flags: RunFlags) => resolveRunConfig(flags, {});

describe('--workers on run', () => {
  it('is [1] by default: a single-value run is configured as before', () => {
    assert.deepEqual(resolve({}).workers, [1]);
  });

  it('takes a list in the order given, without repeats', () => {
    assert.deepEqual(parseWorkerList('2, 1,2'), [2, 1]);
  });

  for (const bad of ['0', '1,', '1,x', '65', '1.5', '']) {
    it(`refuses ${JSON.stringify(bad)}, naming the flag and the range`, () => {
      rejects(() => parseWorkerList(bad), /--workers must be a comma-separated list of integers from 1 to 64/);
    });
  }
});

describe('--target on run', () => {
  it('keeps the origin of an http or https URL', () => {
    assert.equal(parseTarget('http://127.0.0.1:3000/'), 'http://127.0.0.1:3000');
    assert.equal(parseTarget('https://auth.example:8443'), 'https://auth.example:8443');
  });

  for (const bad of ['ftp://127.0.0.1:21', 'redis://127.0.0.1:6379', 'localhost:3000', 'file:///etc/passwd', 'not a url']) {
    it(`refuses the non-http URL ${JSON.stringify(bad)}`, () => {
      rejects(() => parseTarget(bad), /--target must be an http:\/\/( or https:\/\/)? URL/);
    });
  }

  it('refuses a path, a query or credentials: the contract lives at the root', () => {
    for (const bad of ['http://127.0.0.1:3000/api', 'http://127.0.0.1:3000/?x=1', 'http://u:p@127.0.0.1:3000']) rejects(() => parseTarget(bad), /base URL/);
  });

  it('needs --strategies with exactly one name, the design the target runs', () => {
    rejects(() => resolve({ target: 'http://127.0.0.1:3000' }), /--target needs --strategies with exactly one name/);
    rejects(() => resolve({ target: 'http://127.0.0.1:3000', strategies: 'jwt,redis-token' }), /exactly one name/);
    assert.equal(resolve({ target: 'http://127.0.0.1:3000', strategies: 'redis-token' }).target, 'http://127.0.0.1:3000');
  });

  it('refuses the options of servers and Redis that authbench would start, naming them', () => {
    rejects(() => resolve({ target: 'http://127.0.0.1:3000', strategies: 'jwt', workers: '2', redisUrl: 'redis://127.0.0.1:6379' }), /--workers, --redis-url cannot apply/);
    rejects(() => resolve({ target: 'http://127.0.0.1:3000', strategies: 'jwt', redisCluster: 'local' }), /--redis-cluster cannot apply/);
  });
});

describe('--redis-cluster on run', () => {
  it('local: authbench starts the cluster, and the default faults become kill-master', () => {
    const config = resolve({ redisCluster: 'local', scenarios: 'outage' });
    assert.equal(config.redisCluster, 'local');
    assert.deepEqual(config.outage.faults, ['kill-master']);
  });

  it('a list: the seed nodes of a cluster that is given', () => {
    assert.deepEqual(resolve({ redisCluster: '127.0.0.1:7000,127.0.0.1:7001' }).redisCluster, ['127.0.0.1:7000', '127.0.0.1:7001']);
  });

  it('refuses a value that is neither, with --redis-url, with the latency proxy, or with --redis-persistence', () => {
    rejects(() => resolve({ redisCluster: 'redis://127.0.0.1:7000' }), /--redis-cluster must be local or host:port/);
    rejects(() => resolve({ redisCluster: 'local', redisUrl: 'redis://127.0.0.1:6379' }), /one of --redis-url and --redis-cluster/);
    rejects(() => resolve({ redisCluster: 'local', redisLatency: '1ms' }), /--redis-latency .* not with --redis-cluster/);
    rejects(() => resolve({ redisCluster: 'local', redisPersistence: 'aof' }), /--redis-persistence .* not to --redis-cluster/);
  });
});
