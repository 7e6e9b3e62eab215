import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jwtArgs, measuresCeiling, parseRates, resolveRunConfig } from './config.js';
import { unitsOf } from './load-cells.js';
import { designNames } from '../../servers/designs/index.js';

describe('run options: the JWT library', () => {
  it('defaults to the first library (the fastest with every check) and passes it per server, not to every server', () => {
    const config = resolveRunConfig({}, {});
    assert.deepEqual(config.jwtImpls, ['fast-jwt']);
    assert.ok(!config.serverArgs.includes('--jwt-impl'));
    assert.deepEqual(jwtArgs(config, 'fast-jwt'), ['--jwt-impl', 'fast-jwt']);
  });

  it('takes a list, and measures each design that verifies JWTs once per library, the others once', () => {
    const config = resolveRunConfig({ jwtImpl: 'jose,fast-jwt', strategies: 'jwt,redis-token' }, {});
    assert.deepEqual(config.jwtImpls, ['jose', 'fast-jwt']);
    assert.deepEqual(
      unitsOf(config).map((u) => [u.strategy, u.jwtImpl]),
      [
        ['jwt', 'jose'],
        ['jwt', 'fast-jwt'],
        ['redis-token', undefined],
      ],
    );
  });

  it("gives fast-jwt's cache to the fast-jwt servers only, and refuses it without fast-jwt", () => {
    const config = resolveRunConfig({ jwtImpl: 'jose,fast-jwt', jwtCache: '5000' }, {});
    assert.deepEqual(jwtArgs(config, 'fast-jwt'), ['--jwt-impl', 'fast-jwt', '--jwt-cache', '5000']);
    assert.deepEqual(jwtArgs(config, 'jose'), ['--jwt-impl', 'jose']);
    assert.throws(() => resolveRunConfig({ jwtImpl: 'jose', jwtCache: '5000' }, {}), /--jwt-cache .* needs fast-jwt among --jwt-impl/);
  });

  it('names the valid libraries for an unknown one, and refuses a library for a server it does not start', () => {
    assert.throws(() => resolveRunConfig({ jwtImpl: 'jsonwebtoken' }, {}), /--jwt-impl: unknown "jsonwebtoken"; valid values: fast-jwt, jose/);
    assert.throws(() => resolveRunConfig({ target: 'http://127.0.0.1:3000', strategies: 'jwt', jwtImpl: 'jose' }, {}), /--target .* --jwt-impl and --jwt-cache cannot apply/);
    assert.deepEqual(resolveRunConfig({ target: 'http://127.0.0.1:3000', strategies: 'jwt' }, {}).jwtImpls, []);
  });
});

describe('run options: what a run without flags measures', () => {
  it('runs the six designs on the scenarios the verdict reads; login, logout, outage and propagation by name or with all', () => {
    const c = resolveRunConfig({}, {});
    assert.deepEqual(c.strategies, designNames());
    assert.deepEqual(c.scenarios, ['validate', 'revocation', 'session']);
    assert.deepEqual(resolveRunConfig({ quick: true }, {}).scenarios, c.scenarios);
    assert.deepEqual(resolveRunConfig({ scenarios: 'all' }, {}).scenarios, ['login', 'validate', 'logout', 'revocation', 'session', 'outage', 'propagation']);
    assert.deepEqual([c.durationSec, c.warmupSec, c.repeat], [2, 0.5, 3]);
  });

  it('measures the ceiling when something reads it: a load scenario, or an outage that takes its rate from it', () => {
    const with_ = (flags: Record<string, string>) => measuresCeiling(resolveRunConfig(flags, {}));
    assert.equal(with_({}), true, 'the default scenarios are read as fractions of it');
    assert.equal(with_({ scenarios: 'validate,propagation', rate: 'none' }), true);
    assert.equal(with_({ scenarios: 'outage' }), true, 'an outage rate of 5% of the slowest ceiling');
    assert.equal(with_({ scenarios: 'outage', rate: '50%' }), true, 'a share is of validate, which this run does not measure');
    assert.equal(with_({ scenarios: 'outage', rate: '200' }), false, 'the rate is given');
    assert.equal(with_({ scenarios: 'propagation' }), false, 'propagation reads nothing from it');
    assert.equal(with_({ scenarios: 'propagation,outage', rate: '200' }), false);
  });
});

describe('run options: designs built for a single Redis on a cluster run', () => {
  it('leaves them out of the default designs', () => {
    const c = resolveRunConfig({ redisCluster: 'local' }, {});
    assert.deepEqual(c.strategies, designNames().filter((d) => d !== 'redis-token-cached'));
    assert.ok(resolveRunConfig({}, {}).strategies.includes('redis-token-cached'), 'on a single Redis it runs');
  });

  it('refuses one named in --strategies before anything starts, naming those that can run', () => {
    assert.throws(() => resolveRunConfig({ redisCluster: '127.0.0.1:7000', strategies: 'jwt,redis-token-cached' }, {}), (err: Error) => {
      assert.match(err.message, /^--redis-cluster: redis-token-cached runs on a single Redis only; .*jwt-blacklist, redis-token, jwt-local-denylist, jwt-refresh\)$/);
      return true;
    });
  });
});

describe('run options: the offered rates of the equal-load cells', () => {
  it('default to half the slowest design, in a full run and a --quick one', () => {
    assert.deepEqual(resolveRunConfig({}, {}).rates, [{ share: 0.5 }]);
    assert.deepEqual(resolveRunConfig({ quick: true }, {}).rates, [{ share: 0.5 }]);
  });
  it('take shares and req/s together, or none', () => {
    assert.deepEqual(parseRates('10%, 2000'), [{ share: 0.1 }, { rps: 2000 }]);
    assert.deepEqual(parseRates('none'), []);
  });
  it('name the flag on a bad value', () => {
    for (const bad of ['0', '-5', '0%', '101%', 'fast', '1.5']) assert.throws(() => parseRates(bad), /--rate takes/, bad);
  });
});
