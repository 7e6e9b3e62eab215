import type autocannon from 'autocannon';
import { JSON_HEADERS, loginBodies, rotating, type Scenario } from './scenario.js';

/** GET /me requests per session, between its login and its logout. */
export const ME_PER_SESSION = 5;

interface SessionContext {
  auth?: string;
}

/** Each connection loops login → several GET /me → logout: a realistic lifecycle. */
export const session: Scenario = {
  kind: 'load',
  name: 'session',
  summary: `each connection loops login → ${ME_PER_SESSION}× GET /me → logout`,
  async plan(ctx) {
    const nextBody = rotating(loginBodies(ctx.users));
    // After a failed login there is no session to use: returning nothing makes autocannon restart the
    // sequence at login (counted in its `resets`), rather than sending requests that are bound to be refused.
    const withToken = (req: autocannon.Request, context: SessionContext): autocannon.Request =>
      (context.auth === undefined ? undefined : { ...req, headers: { ...req.headers, authorization: context.auth } }) as autocannon.Request;
    const me: autocannon.Request = { method: 'GET', path: '/me', setupRequest: withToken };
    return {
      requests: [
        {
          method: 'POST',
          path: '/login',
          headers: JSON_HEADERS,
          setupRequest: (req) => ({ ...req, body: nextBody() }),
          onResponse: (status: number, body: string, context: SessionContext) => {
            context.auth = status === 200 ? `Bearer ${(JSON.parse(body) as { token: string }).token}` : undefined;
          },
        },
        ...Array.from({ length: ME_PER_SESSION }, () => me),
        { method: 'POST', path: '/logout', setupRequest: withToken },
      ],
    };
  },
  expect: () => ({ ok: [200, 204], wrong: [401] }),
};
