import type autocannon from 'autocannon';
import { JSON_HEADERS, loginBodies, MeBodySample, rotating, type Scenario } from './scenario.js';

/** GET /me requests per session, between its login and its logout. */
export const ME_PER_SESSION = 5;

interface SessionContext {
  auth?: string;
  /** The user this connection logged in as: each GET /me 200 of the session must name it. */
  username?: string;
}

/** Each connection loops login → several GET /me → logout: a realistic lifecycle. */
export const session: Scenario = {
  kind: 'load',
  name: 'session',
  summary: `each connection loops login → ${ME_PER_SESSION}× GET /me → logout`,
  // At equal load, the same session is started at fixed times instead (see bench/load/paced.ts).
  paced: { kind: 'session', mePerSession: ME_PER_SESSION },
  async plan(ctx) {
    const bodies = loginBodies(ctx.users);
    const nextLogin = rotating(bodies.map((body, n) => ({ body, username: `user${n}` })));
    const content = new MeBodySample();
    // After a failed login there is no session to use: returning nothing makes autocannon restart the
    // sequence at login (counted in its `resets`), rather than sending requests that are bound to be refused.
    const withToken = (req: autocannon.Request, context: SessionContext): autocannon.Request =>
      (context.auth === undefined ? undefined : { ...req, headers: { ...req.headers, authorization: context.auth } }) as autocannon.Request;
    const me: autocannon.Request = {
      method: 'GET',
      path: '/me',
      setupRequest: withToken,
      onResponse: (status: number, body: string, context: SessionContext) => {
        if (status === 200) content.check(body, context.username);
      },
    };
    return {
      requests: [
        {
          method: 'POST',
          path: '/login',
          headers: JSON_HEADERS,
          setupRequest: (req, context: SessionContext) => {
            const login = nextLogin();
            context.username = login.username;
            return { ...req, body: login.body };
          },
          onResponse: (status: number, body: string, context: SessionContext) => {
            context.auth = status === 200 ? `Bearer ${(JSON.parse(body) as { token: string }).token}` : undefined;
          },
        },
        ...Array.from({ length: ME_PER_SESSION }, () => me),
        { method: 'POST', path: '/logout', setupRequest: withToken },
      ],
      content,
    };
  },
  expect: () => ({ ok: [200, 204], wrong: [401], refusals: [] }),
};
