import { rotating, type Scenario } from './scenario.js';

/**
 * Tokens are logged out, then used on GET /me. Counts how many revoked tokens were still accepted:
 * the jwt design promises nothing (it accepts them until exp, and the README says so); the two Redis designs
 * must refuse every one.
 */
export const revocation: Scenario = {
  kind: 'load',
  name: 'revocation',
  summary: 'GET /me with tokens that were logged out: revoked tokens accepted',
  pool: 'revocation',
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
  expect: (strategy) =>
    strategy === 'jwt'
      ? { ok: [200], wrong: [], revokedAccepted: 200 }
      : { ok: [401], wrong: [200], revokedAccepted: 200 },
};
