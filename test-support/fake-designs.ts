/**
 * Two designs that are not built in, for the test that runs an extra design through run → cost → outage → report
 * without touching harness code. Importing this module registers them; child processes get it with
 * `NODE_OPTIONS=--import=<this file's URL>` (fakeDesignsImport), so `authbench run` and every `authbench serve` it
 * starts know them. Their traits differ on purpose from what a harness that guessed by name would assume.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../lib/errors.js';
import { requireStore, type DesignDefinition } from '../servers/design.js';
import { registerDesign } from '../servers/designs/index.js';

/** A stateless token that is not a JWT: `base64url(userId|roles|exp).hmac`. It cannot be revoked before exp. */
export const fixtureSigned: DesignDefinition = {
  name: 'fixture-signed',
  summary: 'test fixture: an HMAC-signed opaque token, no store, no JWT',
  usesStore: false,
  traits: { state: { kind: 'none' }, revocation: 'at-expiry', failurePolicies: ['none'], verifiesJwt: false, storeCommandsPerValidate: 0 },
  async create(ctx) {
    const key = randomBytes(32);
    const mac = (payload: string): Buffer => createHmac('sha256', key).update(payload).digest();
    const check = (token: string): { userId: string; roles: string[] } => {
      const [payload = '', sig = ''] = token.split('.');
      const expected = mac(payload);
      const given = Buffer.from(sig, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new UnauthorizedError('bad_signature');
      const [userId = '', roles = '', exp = '0'] = Buffer.from(payload, 'base64url').toString().split('|');
      if (Number(exp) * 1000 <= ctx.clock()) throw new UnauthorizedError('expired');
      return { userId, roles: roles === '' ? [] : roles.split(',') };
    };
    return {
      async issue(user) {
        const exp = Math.ceil(ctx.clock() / 1000) + ctx.config.tokenTtlSec;
        const payload = Buffer.from(`${user.userId}|${user.roles.join(',')}|${exp}`).toString('base64url');
        return { token: `${payload}.${mac(payload).toString('base64url')}`, expiresIn: ctx.config.tokenTtlSec };
      },
      async verify(token) {
        const { userId, roles } = check(token);
        const user = ctx.users.byId(userId);
        if (user === undefined) throw new UnauthorizedError('unknown_user');
        return { userId, username: user.username, roles };
      },
      async revoke(token) {
        check(token);
      },
    };
  },
};

const sessionKey = (id: string): string => `fixture-session:${id}`;

/**
 * An opaque token whose session is stored under its own key pattern, as `userId|username|roles` (SETEX at login,
 * one GET per request, DEL on logout): a key pattern and a record no built-in design uses.
 */
export const fixtureSession: DesignDefinition = {
  name: 'fixture-session',
  summary: 'test fixture: an opaque token, its session under fixture-session:{id}',
  usesStore: true,
  traits: { state: { kind: 'session', keyPattern: sessionKey('*') }, revocation: 'immediate', failurePolicies: ['closed'], verifiesJwt: false, storeCommandsPerValidate: 1 },
  async create(ctx) {
    const store = requireStore(ctx, 'fixture-session');
    const ttl = ctx.config.tokenTtlSec;
    return {
      async issue(user) {
        const token = randomUUID();
        ctx.metrics.storeCalls++;
        await store.run((r) => r.setex(sessionKey(token), ttl, `${user.userId}|${user.username}|${user.roles.join(',')}`));
        return { token, expiresIn: ttl };
      },
      async verify(token) {
        ctx.metrics.storeCalls++;
        const raw = await store.run((r) => r.get(sessionKey(token)));
        if (raw === null) throw new UnauthorizedError('unknown_token');
        const [userId = '', username = '', roles = ''] = raw.split('|');
        return { userId, username, roles: roles === '' ? [] : roles.split(',') };
      },
      async revoke(token) {
        ctx.metrics.storeCalls++;
        if ((await store.run((r) => r.del(sessionKey(token)))) === 0) throw new UnauthorizedError('unknown_token');
      },
    };
  },
};

registerDesign(fixtureSigned);
registerDesign(fixtureSession);

/** NODE_OPTIONS for a child process that should know the fixture designs. */
export const fakeDesignsImport = (): string => `--import=${new URL(import.meta.url).href}`;
