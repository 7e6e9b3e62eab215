import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstLineOf } from './errors.js';

describe('firstLineOf', () => {
  it("keeps an error message's first line, and works on anything thrown", () => {
    assert.equal(firstLineOf(new Error('server exited\nstack and output')), 'server exited');
    assert.equal(firstLineOf('plain\nmore'), 'plain');
    assert.equal(firstLineOf(42), '42');
  });
});
