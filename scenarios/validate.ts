import { MeBodySample, meRequest, type Scenario } from './scenario.js';

/** GET /me over a pool of distinct valid tokens issued before the measurement. */
export const validate: Scenario = {
  kind: 'load',
  name: 'validate',
  summary: 'GET /me over a pool of distinct valid tokens',
  pool: { name: 'validate', consumed: false },
  decomposed: true,
  equalLoad: true,
  paced: { kind: 'me' },
  async plan(ctx) {
    const content = new MeBodySample();
    return { requests: [meRequest(await ctx.tokens.issueNamed(ctx.poolSize), content)], content };
  },
  // A 401 here is a valid token refused, whatever its reason; a 200 must name the token's user.
  expect: () => ({ ok: [200], wrong: [401], refusals: [] }),
};
