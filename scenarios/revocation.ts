import { refusesRevoked } from '../servers/design.js';
import { rotating, type Scenario } from './scenario.js';

/**
 * Tokens are logged out, then used on GET /me. Counts how many revoked tokens were still accepted: a design
 * that revokes only at expiry promises nothing (it accepts them until exp, and the README says so); every other
 * design must refuse every one (a propagated revocation has had the whole pool preparation to arrive).
 */
export const revocation: Scenario = {
  kind: 'load',
  name: 'revocation',
  summary: 'GET /me with tokens that were logged out: revoked tokens accepted',
  pool: { name: 'revocation', consumed: false },
  async plan(ctx) {
    const tokens = await ctx.tokens.issue(ctx.poolSize);
    await ctx.tokens.revoke(tokens);
    const next = rotating(tokens.map((t) => `Bearer ${t}`));
    return {
      requests: [
        {
          method: 'GET',
          path: '/me',
          setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: next() } }),
        },
      ],
    };
  },
  expect: (traits) => (refusesRevoked(traits) ? { ok: [401], wrong: [200], revokedAccepted: 200 } : { ok: [200], wrong: [], revokedAccepted: 200 }),
};
