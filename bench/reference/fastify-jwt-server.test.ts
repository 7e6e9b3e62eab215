import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startListeningProcess, startServerProcess, type ServerProcess } from '../run/server-process.js';
import { decodeJwt, forgeJwt, hmacSigner, type JsonObject } from '../../test-support/jwt-forge.js';
import { login, me } from '../../test-support/http.js';
import { REFERENCE_ENTRY } from './compare.js';

// The comparison of `authbench reference` means something only if the reference server checks what it says it
// checks: it must accept the jwt server's token and refuse the same token changed in any one checked way.

const SECRET = 'reference-test-secret-0123456789abcdef';
const sign = hmacSigner('HS256', SECRET);

describe('the @fastify/jwt reference server', () => {
  let authbench: ServerProcess;
  let reference: ServerProcess;
  let token: string;
  let header: JsonObject;
  let payload: JsonObject;

  before(async () => {
    [authbench, reference] = await Promise.all([
      startServerProcess('jwt', ['--jwt-secret', SECRET]),
      // The secret through the environment, as a user would give it.
      startListeningProcess('reference server', [REFERENCE_ENTRY, '--port', '0'], { AUTHBENCH_JWT_SECRET: SECRET }),
    ]);
    token = await login(authbench.url, 42);
    ({ header, payload } = decodeJwt(token));
  });
  after(async () => {
    await Promise.all([authbench?.stop(), reference?.stop()]);
  });

  it('accepts a token the jwt server issued with the same secret and answers its sub and roles', async () => {
    const r = await me(reference.url, token);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, { userId: 'u42', roles: ['user'] });
  });

  it('accepts a token forged with the secret and the same claims (the forgeries below change one thing each)', async () => {
    const r = await me(reference.url, forgeJwt(header, payload, sign));
    assert.equal(r.status, 200, r.text);
  });

  const now = (): number => Math.floor(Date.now() / 1000);
  const refusals: readonly (readonly [string, () => string])[] = [
    ['a token whose payload was changed after signing', () => {
      const [h, , s] = token.split('.');
      return `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'u0', roles: ['admin'] })).toString('base64url')}.${s}`;
    }],
    ['a token signed with another secret', () => forgeJwt(header, payload, hmacSigner('HS256', `${SECRET}-other`))],
    ['a token with another issuer', () => forgeJwt(header, { ...payload, iss: 'someone-else' }, sign)],
    ['a token with another audience', () => forgeJwt(header, { ...payload, aud: 'another-api' }, sign)],
    ['a token without iss', () => forgeJwt(header, { ...payload, iss: undefined }, sign)],
    ['a token without jti', () => forgeJwt(header, { ...payload, jti: undefined }, sign)],
    ['a token without exp', () => forgeJwt(header, { ...payload, exp: undefined }, sign)],
    ['a token expired beyond the clock tolerance', () => forgeJwt(header, { ...payload, iat: now() - 120, exp: now() - 60 }, sign)],
    ['a token older than the maximum age', () => forgeJwt(header, { ...payload, iat: now() - 4000, exp: now() + 600, jti: randomUUID() }, sign)],
    ['a token with typ other than JWT', () => forgeJwt({ ...header, typ: 'at+jwt' }, payload, sign)],
    ['a token with alg HS512', () => forgeJwt({ ...header, alg: 'HS512' }, payload, hmacSigner('HS512', SECRET))],
    ['an unsigned token (alg none)', () => forgeJwt({ ...header, alg: 'none' }, payload)],
    ['a token with an unknown crit header', () => forgeJwt({ ...header, crit: ['x-unknown'], 'x-unknown': 1 }, payload, sign)],
  ];
  for (const [what, make] of refusals) {
    it(`refuses ${what} with 401`, async () => {
      const r = await me(reference.url, make());
      assert.equal(r.status, 401, r.text);
    });
  }

  it('answers GET /health 200 without a token', async () => {
    const r = await fetch(`${reference.url}/health`, { signal: AbortSignal.timeout(5000) });
    assert.equal(r.status, 200);
  });

  it('refuses to start with a secret shorter than 32 bytes (exit code 2)', async () => {
    await assert.rejects(
      startListeningProcess('reference server', [REFERENCE_ENTRY, '--port', '0', '--jwt-secret', 'too-short']),
      /exited \(code 2,/,
    );
  });
});
