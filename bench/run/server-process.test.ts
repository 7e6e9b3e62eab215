import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { designNames, designOf } from '../../servers/designs/index.js';
import { getJson } from '../../lib/http.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

describe('a server process authbench starts', () => {
  let server: ServerProcess;
  before(async () => {
    // A design that needs no Redis: the process alone is under test.
    const name = designNames().find((n) => designOf(n).traits.state.kind === 'none' && designOf(n).traits.storeCommandsPerValidate === 0);
    assert.ok(name, 'a design without a store');
    server = await startServerProcess(name);
  });
  after(async () => {
    await server?.stop();
  });

  it('collects its garbage when GET /metrics?gc=1 asks (it runs with --expose-gc), and only then', async () => {
    assert.equal((await getJson(`${server.url}/metrics?gc=1`, 2000))?.['gcRan'], true);
    assert.equal((await getJson(`${server.url}/metrics`, 2000))?.['gcRan'], undefined);
  });
});
