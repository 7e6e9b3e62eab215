import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { JWT_IMPLS } from './jwt/algs.js';
import { MAX_TOKEN_LENGTH } from './jwt/codec.js';
import { assertAccepted, assertRefused, httpTarget, type AuthTarget } from '../test-support/auth-probe.js';
import {
  b64json,
  b64url,
  decodeJwt,
  es256Signer,
  forgeJwt,
  hmacSigner,
  jwtsAroundLength,
  omit,
  rs256Signer,
  type JsonObject,
} from '../test-support/jwt-forge.js';
import { startTestRedis, type TestRedis } from '../test-support/redis.js';
import { startServerProcess, type ServerProcess } from '../test-support/server-process.js';

/**
 * Header, algorithm, signature and format checks of the JWT codec, for every JWT implementation, against real
 * server processes (HS256, with RS256, ES256 and EdDSA servers for foreign keys and key confusion). Tokens are
 * forged with node:crypto from a genuine token's header and claims (its real kid), so each one is wrong in
 * exactly one way, and the reject counter on GET /metrics shows which check refused it.
 */

const SECRET = 'authbench-security-tests-known-secret-0123456789';
const JWT_STRATEGIES = ['jwt', 'jwt-blacklist'] as const;

let redis: TestRedis;
before(async () => {
  redis = await startTestRedis();
});
after(async () => {
  await redis?.close();
});

/** A running server of `strategy` with these extra flags, plus the header and claims of a genuine token for user42. */
function withServer(strategy: string, flags: readonly string[]) {
  const ctx = { target: undefined as unknown as AuthTarget, header: {} as JsonObject, payload: {} as JsonObject };
  let server: ServerProcess | undefined;
  before(async () => {
    server = await startServerProcess(strategy, ['--redis-url', redis.server.url, ...flags]);
    ctx.target = httpTarget(server.url, server.metricsUrl);
    ({ header: ctx.header, payload: ctx.payload } = decodeJwt(await ctx.target.login(42)));
  });
  after(async () => {
    await server?.stop();
  });
  return ctx;
}

for (const [strategy, impl] of JWT_STRATEGIES.flatMap((d) => JWT_IMPLS.map((i) => [d, i] as const))) {
  describe(`${strategy}, ${impl}: forged, foreign and malformed HS256 tokens`, () => {
    const s = withServer(strategy, ['--jwt-impl', impl, '--jwt-secret', SECRET]);
    const right = hmacSigner('HS256', SECRET);
    /** The genuine claims with a fresh jti, so no blacklist entry can play a part. */
    const claims = (): JsonObject => ({ ...s.payload, jti: randomUUID() });

    it('a token forged with the known secret and the real kid is accepted, so each refusal below has one cause', async () => {
      await assertAccepted(s.target, forgeJwt(s.header, claims(), right), 'u42');
    });

    it('alg "none" with an empty signature is refused', async () => {
      await assertRefused(s.target, forgeJwt({ ...s.header, alg: 'none' }, claims()), 'malformed');
    });

    it('alg "none" with a signature present is refused by the algorithm allow-list', async () => {
      await assertRefused(s.target, forgeJwt({ ...s.header, alg: 'none' }, claims(), right), 'bad_header');
    });

    it('an HS256 token signed with the wrong secret is refused', async () => {
      const wrong = hmacSigner('HS256', randomBytes(32));
      await assertRefused(s.target, forgeJwt(s.header, claims(), wrong), 'bad_signature');
    });

    it('an HS256 token whose claims were edited after signing is refused', async () => {
      const [h, , sig] = forgeJwt(s.header, claims(), right).split('.');
      const escalated = `${h}.${b64json({ ...claims(), sub: 'u0', roles: ['admin', 'user'] })}.${sig}`;
      await assertRefused(s.target, escalated, 'bad_signature');
    });

    for (const alg of ['HS384', 'HS512'] as const) {
      it(`alg ${alg} signed with the right secret is refused: it is not in the allow-list`, async () => {
        await assertRefused(s.target, forgeJwt({ ...s.header, alg }, claims(), hmacSigner(alg, SECRET)), 'bad_header');
      });
    }

    it('an RS256 token signed with a foreign RSA key is refused by the allow-list', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      await assertRefused(s.target, forgeJwt({ ...s.header, alg: 'RS256' }, claims(), rs256Signer(privateKey)), 'bad_header');
    });

    const attackerKey = randomBytes(32);
    const embedded: Record<string, unknown> = {
      jwk: { kty: 'oct', k: b64url(attackerKey) },
      jku: 'https://attacker.example/.well-known/jwks.json',
      x5u: 'https://attacker.example/cert.pem',
      x5c: [randomBytes(64).toString('base64')],
    };
    for (const [name, value] of Object.entries(embedded)) {
      it(`a header carrying "${name}" is refused even when signed with the right secret`, async () => {
        await assertRefused(s.target, forgeJwt({ ...s.header, [name]: value }, claims(), right), 'bad_header');
      });
    }

    it('a token signed with the key it embeds as "jwk" is refused', async () => {
      const token = forgeJwt({ ...s.header, jwk: embedded['jwk'] }, claims(), hmacSigner('HS256', attackerKey));
      await assertRefused(s.target, token, 'bad_header');
    });

    it('an unknown kid is refused', async () => {
      await assertRefused(s.target, forgeJwt({ ...s.header, kid: 'ffffffffffffffff' }, claims(), right), 'bad_header');
    });

    // Header parameters the server does not implement, or of the wrong type: refused, never ignored.
    const oddHeaders: readonly [string, JsonObject][] = [
      ['an unknown critical extension (crit: ["exp"])', { crit: ['exp'] }],
      ['an unknown critical extension it also carries (crit: ["x-auth"], "x-auth": 1)', { crit: ['x-auth'], 'x-auth': 1 }],
      ['an unencoded payload (b64: false, RFC 7797)', { b64: false, crit: ['b64'] }],
      ['a certificate thumbprint (x5t)', { x5t: b64url(randomBytes(20)) }],
      ['a certificate thumbprint (x5t#S256)', { 'x5t#S256': b64url(randomBytes(32)) }],
      ['a kid that is a number', { kid: 42 }],
      ['a kid that is an array holding the real kid', { kid: [] }],
    ];
    for (const [what, extra] of oddHeaders) {
      it(`a header with ${what} is refused even when signed with the right secret`, async () => {
        const header = extra['kid'] !== undefined && Array.isArray(extra['kid']) ? { ...s.header, kid: [s.header['kid'] as string] } : { ...s.header, ...extra };
        await assertRefused(s.target, forgeJwt(header, claims(), right), 'bad_header');
      });
    }

    it('a missing kid is refused', async () => {
      await assertRefused(s.target, forgeJwt(omit(s.header, 'kid'), claims(), right), 'bad_header');
    });

    it('a typ other than JWT is refused (jose reports typ as a claim check)', async () => {
      await assertRefused(s.target, forgeJwt({ ...s.header, typ: 'at+jwt' }, claims(), right), 'bad_claims');
    });

    it('a missing typ is refused', async () => {
      await assertRefused(s.target, forgeJwt(omit(s.header, 'typ'), claims(), right), 'bad_claims');
    });

    it(`a signed token of at most ${MAX_TOKEN_LENGTH} characters is accepted`, async () => {
      const { fits } = jwtsAroundLength(s.header, claims(), right, MAX_TOKEN_LENGTH);
      await assertAccepted(s.target, fits, 'u42');
    });

    it(`a validly signed token longer than ${MAX_TOKEN_LENGTH} characters is refused`, async () => {
      const { tooLong } = jwtsAroundLength(s.header, claims(), right, MAX_TOKEN_LENGTH);
      await assertRefused(s.target, tooLong, 'malformed');
    });

    const garbage: Record<string, () => string> = {
      'a two-part token (no signature part)': () => forgeJwt(s.header, claims(), right).split('.').slice(0, 2).join('.'),
      'a four-part token': () => `${forgeJwt(s.header, claims(), right)}.${b64url('x')}`,
      'a five-part JWE-shaped token': () => ['a', 'b', 'c', 'd', 'e'].map(b64url).join('.'),
      'a string with no dots': () => 'not-a-token',
      'three empty parts': () => '..',
      'characters outside base64url': () => forgeJwt(s.header, claims(), right).replace(/.$/, '='),
      'a header that is not JSON': () => `${b64url('{"alg":"HS256",')}.${b64json(claims())}.${b64url('sig')}`,
      'a payload that is not JSON, correctly signed': () => {
        const input = `${b64json(s.header)}.${b64url('not json')}`;
        return `${input}.${right(input)}`;
      },
    };
    for (const [what, make] of Object.entries(garbage)) {
      it(`${what} is refused as malformed`, async () => {
        await assertRefused(s.target, make(), 'malformed');
      });
    }
  });

  describe(`${strategy}, ${impl}: an RS256 server refuses key confusion and foreign keys`, () => {
    const s = withServer(strategy, ['--jwt-impl', impl, '--jwt-alg', 'RS256']);
    const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const claims = (): JsonObject => ({ ...s.payload, jti: randomUUID() });

    it('its genuine RS256 token is accepted', async () => {
      await assertAccepted(s.target, await s.target.login(42), 'u42');
    });

    it('an HS256 token HMAC-keyed with an RSA public key PEM is refused (key confusion)', async () => {
      const pem = foreign.publicKey.export({ type: 'spki', format: 'pem' });
      await assertRefused(s.target, forgeJwt({ ...s.header, alg: 'HS256' }, claims(), hmacSigner('HS256', pem)), 'bad_header');
    });

    it('an RS256 token signed with a foreign RSA key under the real kid is refused', async () => {
      await assertRefused(s.target, forgeJwt(s.header, claims(), rs256Signer(foreign.privateKey)), 'bad_signature');
    });
  });

  describe(`${strategy}, ${impl}: an ES256 server refuses a foreign key`, () => {
    const s = withServer(strategy, ['--jwt-impl', impl, '--jwt-alg', 'ES256']);
    const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' });

    it('an ES256 token signed with a foreign P-256 key under the real kid is refused', async () => {
      const token = forgeJwt(s.header, { ...s.payload, jti: randomUUID() }, es256Signer(foreign.privateKey));
      await assertRefused(s.target, token, 'bad_signature');
    });
  });

  describe(`${strategy}, ${impl}: an EdDSA server refuses a foreign key and another algorithm`, () => {
    const s = withServer(strategy, ['--jwt-impl', impl, '--jwt-alg', 'EdDSA']);
    const foreign = generateKeyPairSync('ed25519');
    const claims = (): JsonObject => ({ ...s.payload, jti: randomUUID() });

    it('its genuine EdDSA token is accepted', async () => {
      await assertAccepted(s.target, await s.target.login(42), 'u42');
    });

    it('an EdDSA token signed with a foreign Ed25519 key under the real kid is refused', async () => {
      await assertRefused(s.target, forgeJwt(s.header, claims(), (input) => sign(null, Buffer.from(input), foreign.privateKey).toString('base64url')), 'bad_signature');
    });

    it('an HS256 token HMAC-keyed with an Ed25519 public key PEM is refused (key confusion)', async () => {
      const pem = foreign.publicKey.export({ type: 'spki', format: 'pem' });
      await assertRefused(s.target, forgeJwt({ ...s.header, alg: 'HS256' }, claims(), hmacSigner('HS256', pem)), 'bad_header');
    });
  });
}
