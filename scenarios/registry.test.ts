import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LOAD_SCENARIOS, scenarios } from './index.js';

describe('scenario registry', () => {
  it('lists exactly the scenario files of its folder, each under its own name', async () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const files = (await readdir(dir))
      .filter((f) => f.endsWith('.js') && !['index.js', 'scenario.js'].includes(f) && !f.endsWith('.test.js'))
      .map((f) => f.replace(/\.js$/, ''))
      .sort();
    assert.deepEqual(Object.keys(scenarios).sort(), files);
    for (const [key, s] of Object.entries(scenarios)) assert.equal(s.name, key);
  });

  it('runs every scenario but the ceiling by default (the ceiling runs with the load scenarios)', () => {
    assert.deepEqual([...LOAD_SCENARIOS].sort(), ['login', 'logout', 'revocation', 'session', 'validate']);
  });
});
