import assert from 'node:assert/strict';
import { isAbsolute, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { pairOrder, sideArgs } from './relative-run.js';

describe('the runs of the relative gate', () => {
  it('give each side an absolute --out: the base runs from its own worktree, not from the gate\'s directory', () => {
    const args = sideArgs({}, 'results/ci/pairs/pair-1-base');
    const out = args[args.indexOf('--out') + 1] ?? '';
    assert.ok(isAbsolute(out));
    assert.equal(out, resolve('results/ci/pairs/pair-1-base'));
    assert.deepEqual(args.slice(0, 3), ['run', '--scenarios', 'validate,login,session']);
    assert.equal(args[args.indexOf('--repeat') + 1], '1');
  });

  it('alternate the order of the pairs: AB BA AB', () => {
    assert.deepEqual([0, 1, 2].map((i) => pairOrder(i).join('')), ['basehead', 'headbase', 'basehead']);
  });
});
