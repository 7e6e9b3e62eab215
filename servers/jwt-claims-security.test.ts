import assert from 'node:assert/strict';
import { createPublicKey, randomUUID, type JsonWebKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { RejectReason } from '../lib/errors.js';
import { assertAccepted, assertRefused } from '../test-support/auth-probe.js';
import { b64url, forgeJwt, hmacSigner, omit, type JsonObject } from '../test-support/jwt-forge.js';
import { JWT_DESIGNS, JWT_MATRIX, withJwtServer } from '../test-support/jwt-servers.js';
import { startTestRedis, type TestRedis } from '../test-support/redis.js';

/**
 * Claim checks of the JWT codec, for every JWT implementation and algorithm (in-process servers on a real Redis,
 * whose key the test knows): required claims, issuer, audience, subject, jti and roles. Every token is correctly
 * signed with the server's own key and kid, from a genuine token's claims with one claim changed, so the claim is
 * the only thing wrong with it, and the reason must be the same whatever the library.
 * (Time claims with a frozen clock are in jwt-time-security.test.ts.)
 */

interface ClaimCase {
  readonly what: string;
  readonly edit: (claims: JsonObject) => JsonObject;
  readonly reason: RejectReason;
}

const refused: readonly ClaimCase[] = [
  { what: 'a token without exp', edit: (c) => omit(c, 'exp'), reason: 'bad_claims' },
  { what: 'a token without iat', edit: (c) => omit(c, 'iat'), reason: 'bad_claims' },
  { what: 'a token without sub', edit: (c) => omit(c, 'sub'), reason: 'bad_claims' },
  { what: 'a token without jti', edit: (c) => omit(c, 'jti'), reason: 'bad_claims' },
  { what: 'a token with a wrong iss', edit: (c) => ({ ...c, iss: 'someone-else' }), reason: 'bad_claims' },
  { what: 'a token without iss', edit: (c) => omit(c, 'iss'), reason: 'bad_claims' },
  { what: 'a token with a wrong aud', edit: (c) => ({ ...c, aud: 'another-api' }), reason: 'bad_claims' },
  { what: 'a token whose aud list lacks this audience', edit: (c) => ({ ...c, aud: ['another-api', 'third-api'] }), reason: 'bad_claims' },
  { what: 'a token without aud', edit: (c) => omit(c, 'aud'), reason: 'bad_claims' },
  { what: 'a token whose iss is a number', edit: (c) => ({ ...c, iss: 1 }), reason: 'bad_claims' },
  { what: 'a token whose iss is an array holding the right issuer', edit: (c) => ({ ...c, iss: [c['iss'] as string] }), reason: 'bad_claims' },
  { what: 'a token whose aud is a number', edit: (c) => ({ ...c, aud: 42 }), reason: 'bad_claims' },
  { what: 'a token whose aud is an object', edit: (c) => ({ ...c, aud: { aud: c['aud'] as string } }), reason: 'bad_claims' },
  { what: 'a token whose exp is a string', edit: (c) => ({ ...c, exp: String(c['exp']) }), reason: 'bad_claims' },
  { what: 'a token whose iat is a string', edit: (c) => ({ ...c, iat: String(c['iat']) }), reason: 'bad_claims' },
  { what: 'a token whose sub is not a string', edit: (c) => ({ ...c, sub: 42 }), reason: 'bad_claims' },
  { what: 'a token whose jti is not a UUID', edit: (c) => ({ ...c, jti: 'not-a-uuid' }), reason: 'bad_claims' },
  { what: 'a token naming an unknown sub (u99999 of 1000 users)', edit: (c) => ({ ...c, sub: 'u99999' }), reason: 'unknown_user' },
  { what: 'a token whose sub is the user limit (u1000)', edit: (c) => ({ ...c, sub: 'u1000' }), reason: 'unknown_user' },
  { what: 'a token whose sub is a username, not a user id', edit: (c) => ({ ...c, sub: 'user42' }), reason: 'unknown_user' },
  { what: 'a token whose roles is a string', edit: (c) => ({ ...c, roles: 'admin' }), reason: 'bad_claims' },
  { what: 'a token whose roles holds a number', edit: (c) => ({ ...c, roles: ['user', 1] }), reason: 'bad_claims' },
  { what: 'a token whose roles is an object', edit: (c) => ({ ...c, roles: { admin: true } }), reason: 'bad_claims' },
  { what: 'a token without roles', edit: (c) => omit(c, 'roles'), reason: 'bad_claims' },
];

let redis: TestRedis;
before(async () => {
  redis = await startTestRedis();
});
after(async () => {
  await redis?.close();
});

for (const strategy of JWT_DESIGNS) {
  for (const { impl, alg } of JWT_MATRIX) {
    describe(`${strategy}, ${impl}, ${alg}: claim checks on correctly signed tokens`, () => {
      const s = withJwtServer(strategy, impl, alg, () => redis.server.url);
      /** The genuine claims with a fresh jti (no blacklist entry can play a part), then edited. */
      const token = (edit: (c: JsonObject) => JsonObject = (c) => c): string => forgeJwt(s.header, edit({ ...s.payload, jti: randomUUID() }), s.sign);

      it('the genuine claims re-signed with the server key are accepted, so each refusal below has one cause', async () => {
        await assertAccepted(s.target, token(), 'u42');
      });

      it('an aud list that includes this audience is accepted (RFC 7519 allows an array)', async () => {
        await assertAccepted(s.target, token((c) => ({ ...c, aud: ['another-api', c['aud']] })), 'u42');
      });

      it('the last seeded user (u999 of 1000) is a known sub', async () => {
        await assertAccepted(s.target, token((c) => ({ ...c, sub: 'u999' })), 'u999');
      });

      for (const { what, edit, reason } of refused) {
        it(`${what} is refused`, async () => {
          await assertRefused(s.target, token(edit), reason);
        });
      }

      // Duplicate member names (RFC 7515 §4, RFC 7519 §4): JSON.parse keeps the last, a gateway may read the first.
      const rawToken = (header: string, payload: string): string => {
        const input = `${b64url(header)}.${b64url(payload)}`;
        return `${input}.${s.sign(input)}`;
      };
      const genuineClaims = (): string => JSON.stringify({ ...s.payload, jti: randomUUID() });

      it('a claims set that gives sub twice is refused, whichever value a parser keeps', async () => {
        await assertRefused(s.target, rawToken(JSON.stringify(s.header), `${genuineClaims().slice(0, -1)},"sub":"u7"}`), 'bad_claims');
        await assertRefused(s.target, rawToken(JSON.stringify(s.header), `{"sub":"u7",${genuineClaims().slice(1)}`), 'bad_claims');
      });

      it('a claims set that gives sub twice, once spelled with an escape, is refused', async () => {
        await assertRefused(s.target, rawToken(JSON.stringify(s.header), `${genuineClaims().slice(0, -1)},"\\u0073ub":"u7"}`), 'bad_claims');
      });

      it('a header that gives kid twice (both the right one) is refused', async () => {
        const header = JSON.stringify(s.header);
        await assertRefused(s.target, rawToken(`${header.slice(0, -1)},"kid":${JSON.stringify(s.header['kid'])}}`, genuineClaims()), 'bad_header');
      });

      it('a "__proto__" member is a claim like any other: roles given only there are no roles (refused)', async () => {
        const claims = omit({ ...s.payload, jti: randomUUID() }, 'roles');
        await assertRefused(s.target, rawToken(JSON.stringify(s.header), `{"__proto__":{"roles":["admin"]},${JSON.stringify(claims).slice(1)}`), 'bad_claims');
      });

      it('a "__proto__" member beside the genuine claims changes nothing: the roles are the token\'s own', async () => {
        const token = rawToken(JSON.stringify(s.header), `{"__proto__":{"roles":["admin"],"isAdmin":true},${genuineClaims().slice(1)}`);
        const r = await s.target.me(token);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { userId: 'u42', username: 'user42', roles: ['user'] });
      });

      it('the genuine claims as raw JSON are accepted, so the refusals above have one cause', async () => {
        await assertAccepted(s.target, rawToken(JSON.stringify(s.header), genuineClaims()), 'u42');
      });

      if (alg !== 'HS256') {
        it(`key confusion: an HS256 token HMAC-keyed with this ${alg} server's own public key is refused (PEM, DER, JWK)`, async () => {
          const publicKey = createPublicKey({ key: s.keys.jwk as JsonWebKey, format: 'jwk' });
          const publicJwk = publicKey.export({ format: 'jwk' });
          const secrets: (string | Buffer)[] = [publicKey.export({ type: 'spki', format: 'pem' }), publicKey.export({ type: 'spki', format: 'der' }), JSON.stringify(publicJwk)];
          for (const secret of secrets) {
            await assertRefused(s.target, forgeJwt({ ...s.header, alg: 'HS256' }, { ...s.payload, jti: randomUUID() }, hmacSigner('HS256', secret)), 'bad_header');
          }
        });
      }

      it('a token whose claims fail a check cannot be used to log out either', async () => {
        await assertRefused(s.target, token((c) => omit(c, 'jti')), 'bad_claims', 'logout');
      });
    });
  }
}
