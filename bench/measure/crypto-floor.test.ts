import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JWT_ALGS, JWT_IMPLS, resolveServerConfig } from '../../servers/config.js';
import { createJwtCodec } from '../../servers/jwt/codec.js';
import { createSharedJwtKeys } from '../../servers/jwt/shared-keys.js';
import { cryptoFloor } from './crypto-floor.js';

/** The token with one byte of its signature changed, still canonical base64url. */
function withSignatureByteFlipped(token: string): string {
  const dot = token.lastIndexOf('.');
  const sig = Buffer.from(token.slice(dot + 1), 'base64url');
  sig[0] = (sig[0] ?? 0) ^ 0x01;
  return `${token.slice(0, dot)}.${sig.toString('base64url')}`;
}

describe('crypto floor: the bare signature check on the very token the codecs verify', () => {
  for (const alg of JWT_ALGS) {
    it(`${alg}: accepts every codec's token, refuses a changed signature or payload, and signs what verifies`, async () => {
      const keys = await createSharedJwtKeys(alg, undefined);
      for (const impl of JWT_IMPLS) {
        const codec = await createJwtCodec({ ...resolveServerConfig({ jwtAlg: alg, jwtImpl: impl }), jwtKeys: keys }, Date.now);
        const token = await codec.sign('u42', ['user']);
        const floor = cryptoFloor(alg, keys, token);
        assert.equal(floor.verify(), true, `${impl}'s ${alg} token`);
        assert.equal(cryptoFloor(alg, keys, withSignatureByteFlipped(token)).verify(), false, 'a changed signature');
        const [header, payload, sig] = token.split('.');
        const otherPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')), sub: 'u43' })).toString('base64url');
        assert.equal(cryptoFloor(alg, keys, `${header}.${otherPayload}.${sig}`).verify(), false, 'a changed payload');
        // ES256 signatures are randomised: the floor's own signature must verify, in the JWS (r‖s) form.
        const own = `${header}.${payload}.${floor.sign().toString('base64url')}`;
        assert.equal(cryptoFloor(alg, keys, own).verify(), true, 'the floor signs what it verifies');
        if (alg !== 'ES256') assert.equal(own, token, 'a deterministic algorithm signs the same bytes as the codec');
      }
    });
  }
});
