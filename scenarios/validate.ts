import { rotating, type Scenario } from './scenario.js';

/** GET /me over a pool of distinct valid tokens issued before the measurement. */
export const validate: Scenario = {
  kind: 'load',
  name: 'validate',
  summary: 'GET /me over a pool of distinct valid tokens',
  pool: { name: 'validate', consumed: false },
  decomposed: true,
  equalLoad: true,
  async plan(ctx) {
    const next = rotating((await ctx.tokens.issue(ctx.poolSize)).map((t) => `Bearer ${t}`));
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
  // A 401 here is a valid token refused.
  expect: () => ({ ok: [200], wrong: [401] }),
};
