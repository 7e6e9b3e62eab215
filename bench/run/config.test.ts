import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jwtArgs, parseRates, resolveRunConfig } from './config.js';
import { unitsOf } from './load-cells.js';

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

describe('run options: the offered rates of the equal-load cells', () => {
  it('default to a quarter, half and three quarters of the slowest design, half in a --quick run', () => {
    assert.deepEqual(resolveRunConfig({}, {}).rates, [{ share: 0.25 }, { share: 0.5 }, { share: 0.75 }]);
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
