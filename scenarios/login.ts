import { JSON_HEADERS, loginBodies, rotating, type Scenario } from './scenario.js';

/** POST /login, users rotating over the seeded set. */
export const login: Scenario = {
  kind: 'load',
  name: 'login',
  summary: 'POST /login, users rotating over the seeded set',
  async plan(ctx) {
    const next = rotating(loginBodies(ctx.users));
    return {
      requests: [
        {
          method: 'POST',
          path: '/login',
          headers: JSON_HEADERS,
          setupRequest: (req) => ({ ...req, body: next() }),
        },
      ],
    };
  },
  expect: () => ({ ok: [200], wrong: [401] }),
};
