import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { strategies } from './index.js';

describe('strategy registry', () => {
  it('lists exactly the strategy files of its folder, each under its own name', async () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const files = (await readdir(dir))
      .filter((f) => f.endsWith('.js') && f !== 'index.js' && !f.endsWith('.test.js'))
      .map((f) => f.replace(/\.js$/, ''))
      .sort();
    assert.deepEqual(Object.keys(strategies).sort(), files);
    for (const [key, def] of Object.entries(strategies)) assert.equal(def.name, key);
  });
});
