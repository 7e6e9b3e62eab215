import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { builtInDesigns, designNames, designOf, isDesignName, registerDesign } from './index.js';

describe('design registry', () => {
  it('lists exactly the design files of its folder, each under its own name', async () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const files = (await readdir(dir))
      .filter((f) => f.endsWith('.js') && f !== 'index.js' && !f.endsWith('.test.js'))
      .map((f) => f.replace(/\.js$/, ''))
      .sort();
    assert.deepEqual(Object.keys(builtInDesigns).sort(), files);
    for (const [key, def] of Object.entries(builtInDesigns)) assert.equal(def.name, key);
  });

  it('declares for every design at least one failure policy, and none of them without Redis on the request path unless it sends no Redis command per validate', () => {
    for (const name of designNames()) {
      const { traits, usesStore } = designOf(name);
      assert.ok(traits.failurePolicies.length > 0, name);
      if (traits.failurePolicies.includes('none')) assert.equal(traits.storeCommandsPerValidate, 0, `${name}: policy none but Redis on the request path`);
      if (traits.storeCommandsPerValidate > 0 || traits.state.kind !== 'none') assert.ok(usesStore, `${name}: Redis state or commands without a store`);
    }
  });

  it('refuses to register a second design under a name already taken, and a name a flag could not carry', () => {
    const jwt = designOf('jwt');
    assert.throws(() => registerDesign(jwt), /already registered/);
    assert.throws(() => registerDesign({ ...jwt, name: 'Has Spaces' }), /lowercase words/);
    assert.equal(isDesignName('Has Spaces'), false);
  });

  it('says which designs exist when asked for one that does not', () => {
    assert.throws(() => designOf('nope'), /unknown design "nope"; registered: jwt, jwt-blacklist, redis-token, jwt-local-denylist/);
  });
});
