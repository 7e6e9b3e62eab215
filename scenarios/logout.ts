import { rotating, type Scenario } from './scenario.js';

/**
 * POST /logout, each request on its own valid, never-revoked token. The tokens are issued before the
 * measurement, so logout latency is measured alone, not blended with the login that produced the token.
 */
export const logout: Scenario = {
  kind: 'load',
  name: 'logout',
  summary: 'POST /logout, each request on its own never-revoked token',
  pool: { name: 'logout', consumed: true },
  async plan(ctx) {
    const tokens = await ctx.tokens.issue(ctx.poolSize);
    const next = rotating(tokens.map((t) => `Bearer ${t}`));
    return {
      amount: tokens.length,
      requests: [
        {
          method: 'POST',
          path: '/logout',
          setupRequest: (req) => ({ ...req, headers: { ...req.headers, authorization: next() } }),
        },
      ],
    };
  },
  // A 401 here is a valid token refused (a design that cannot revoke answers 204 too: its logout is a no-op).
  expect: () => ({ ok: [204], wrong: [401], refusals: [] }),
};
