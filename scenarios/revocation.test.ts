import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DesignTraits } from '../servers/design.js';
import { revocation, revokedRefusalReason } from './revocation.js';

const traits = (over: Partial<DesignTraits>): DesignTraits => ({ state: { kind: 'none' }, revocation: 'immediate', failurePolicies: ['none'], verifiesJwt: true, storeCommandsPerValidate: 0, ...over });

describe('revocation: the refusal reasons it expects, from the traits', () => {
  it('expects `revoked` from a design that records revoked tokens', () => {
    const t = traits({ state: { kind: 'revoked-token', keyPattern: 'blacklist:*' } });
    assert.equal(revokedRefusalReason(t), 'revoked');
    assert.deepEqual(revocation.expect(t).refusals, ['revoked']);
  });

  it('expects `unknown_token` from a design that keeps sessions (the logout deleted the session)', () => {
    const t = traits({ state: { kind: 'session', keyPattern: 'token:*' }, verifiesJwt: false });
    assert.equal(revokedRefusalReason(t), 'unknown_token');
    assert.deepEqual(revocation.expect(t).refusals, ['unknown_token']);
  });

  it('expects no refusal at all from a design that revokes only at expiry', () => {
    const t = traits({ revocation: 'at-expiry' });
    assert.equal(revokedRefusalReason(t), undefined);
    assert.deepEqual(revocation.expect(t).refusals, []);
  });

  it('never expects `malformed`, whatever the traits', () => {
    for (const state of [{ kind: 'none' }, { kind: 'session', keyPattern: 'k' }, { kind: 'revoked-token', keyPattern: 'k' }] as const) {
      for (const rev of ['immediate', 'propagated', 'at-expiry'] as const) assert.ok(!revocation.expect(traits({ state, revocation: rev })).refusals?.includes('malformed'));
    }
  });
});
