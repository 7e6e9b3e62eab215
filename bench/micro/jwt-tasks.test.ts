import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JWT_ALGS, JWT_IMPLS, resolveServerConfig } from '../../servers/config.js';
import { jwtTaskNames, jwtTasks } from './jwt-tasks.js';

const claims = (({ tokenTtlSec, issuer, audience, clockToleranceSec }) => ({ tokenTtlSec, issuer, audience, clockToleranceSec }))(resolveServerConfig());

describe('jwt micro-benchmark tasks', () => {
  it('name the floor and every implementation for every algorithm and operation, the floor first in each', () => {
    const expected = JWT_ALGS.flatMap((alg) => ['sign', 'verify'].flatMap((op) => ['floor', ...JWT_IMPLS].map((path) => `jwt/${path}/${alg}/${op}`)));
    assert.deepEqual(jwtTaskNames(), expected);
  });

  it('are built in that order, each completes a call with the right answer, and is awaited exactly when its call returns a promise', async () => {
    const tasks = await jwtTasks(claims);
    assert.deepEqual(tasks.map((t) => t.name), jwtTaskNames());
    for (const t of tasks) {
      assert.equal(t.group, 'jwt-codec');
      assert.equal(t.opsPerSample, 1);
      const value = t.fn();
      assert.equal(value instanceof Promise, t.options.async, `${t.name}: async ${t.options.async}`);
      await value;
    }
  });
});
