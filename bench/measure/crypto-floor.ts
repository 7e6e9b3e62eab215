import { createHmac, createPrivateKey, createPublicKey, createSecretKey, sign, timingSafeEqual, verify, type KeyObject, type SignKeyObjectInput, type VerifyKeyObjectInput } from 'node:crypto';
import type { JwtAlg } from '../../servers/config.js';
import { nodeKeysOf, type SharedJwtKeys } from '../../servers/jwt/shared-keys.js';

/** The signature primitive under a JWT, bound to one key and one token. */
export interface CryptoFloor {
  /** Signs the token's signing input; returns the signature bytes. */
  sign(): Buffer;
  /** Whether the token's signature checks against its signing input. */
  verify(): boolean;
}

/**
 * The floor under any JWT library: the bare signature primitive of `alg` in node:crypto, with KeyObjects made once,
 * over the signing input (`header.payload`) and signature of `token`, both decoded once, here. No parsing, no
 * base64url per call, no header or claim check: what a library cannot go below. HS256: HMAC-SHA-256 and
 * timingSafeEqual; RS256: RSASSA-PKCS1-v1_5 with SHA-256; ES256: ECDSA P-256 with SHA-256, the signature as JWS
 * carries it (r‖s, ieee-p1363); EdDSA: Ed25519 (no separate digest).
 */
export function cryptoFloor(alg: JwtAlg, keys: SharedJwtKeys, token: string): CryptoFloor {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) throw new Error('not a compact JWS');
  const input = Buffer.from(token.slice(0, dot), 'ascii');
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  const node = nodeKeysOf(alg, keys);
  if (alg === 'HS256') {
    const key = createSecretKey(typeof node.signKey === 'string' ? Buffer.from(node.signKey, 'utf8') : node.signKey);
    const mac = (): Buffer => createHmac('sha256', key).update(input).digest();
    return {
      sign: mac,
      verify: () => {
        const expected = mac();
        return expected.length === signature.length && timingSafeEqual(expected, signature);
      },
    };
  }
  const privateKey: KeyObject = createPrivateKey(node.signKey);
  const publicKey: KeyObject = createPublicKey(node.verifyKey);
  const digest = alg === 'EdDSA' ? null : 'sha256';
  const signKey: SignKeyObjectInput = alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : { key: privateKey };
  const verifyKey: VerifyKeyObjectInput = alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' } : { key: publicKey };
  return {
    sign: () => sign(digest, input, signKey),
    verify: () => verify(digest, input, verifyKey, signature),
  };
}
