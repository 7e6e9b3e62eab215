import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoopbackRedisContainer } from './docker.js';

// No Docker engine is needed: these read the create request the container would send.
describe('LoopbackRedisContainer: the Docker fallback publishes on loopback only, with a password off the command line', () => {
  const container = new LoopbackRedisContainer('0123456789abcdef0123456789abcdef');

  it('binds the mapped port to 127.0.0.1 (testcontainers alone would publish on every interface)', () => {
    assert.deepEqual(container.portBindings, { '6379/tcp': [{ HostIp: '127.0.0.1', HostPort: '0' }] });
  });

  it('starts redis-server from a copied configuration file, so the password is in no argument', () => {
    assert.equal(container.commandLine[0], 'redis-server');
    assert.match(container.commandLine[1] ?? '', /\.conf$/);
    assert.ok(!container.commandLine.some((a) => a.includes('0123456789abcdef')), 'the password is not on the command line');
    assert.ok(!container.commandLine.includes('--requirepass'));
  });
});
