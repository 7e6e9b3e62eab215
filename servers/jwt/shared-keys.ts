import { createHmac, createPrivateKey, createPublicKey, randomBytes, webcrypto, type JsonWebKey } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { JwtAlg } from './algs.js';

type CryptoKey = webcrypto.CryptoKey;

/**
 * One signing key and its `kid`, as plain data, for the workers of one `serve --workers N`: a token signed by one
 * worker must verify on every other, so they cannot each generate their own key (or kid) as a single server does.
 * The primary makes it and sends it to each worker over the cluster IPC channel, never through argv or the
 * environment.
 */
export interface SharedJwtKeys {
  readonly kid: string;
  /** The private JWK (asymmetric algorithms) or the `oct` JWK of the HMAC key (HS256). */
  readonly jwk: JWK;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'] as const;

/** What an HS256 kid is the HMAC of, under the key itself: the kid names the key without revealing it. */
const HS256_KID_LABEL = 'authbench kid v1';

/**
 * The `kid` of a key, derived from the key, so that the same key always has the same kid: two instances given the same
 * --jwt-secret accept each other's tokens, and a restart does not log everyone out (a random kid per process did
 * both). HS256: the first 16 characters of base64url(HMAC-SHA256(key, HS256_KID_LABEL)); a key pair: its RFC 7638
 * thumbprint (SHA-256 of the public JWK's required members).
 */
export async function kidOf(jwk: JWK): Promise<string> {
  if (jwk.kty === 'oct') return createHmac('sha256', Buffer.from(jwk.k ?? '', 'base64url')).update(HS256_KID_LABEL).digest('base64url').slice(0, 16);
  const publicJwk: JWK = { ...jwk };
  for (const member of PRIVATE_MEMBERS) delete publicJwk[member];
  return calculateJwkThumbprint(publicJwk, 'sha256');
}

/** The key a single server would make: the HS256 secret given (or 32 random bytes), or a new key pair. */
export async function createSharedJwtKeys(alg: JwtAlg, secret: string | undefined): Promise<SharedJwtKeys> {
  if (alg === 'HS256') {
    const material = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
    const jwk: JWK = { kty: 'oct', k: material.toString('base64url') };
    return { kid: await kidOf(jwk), jwk };
  }
  const pair = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const jwk = await exportJWK(pair.privateKey);
  return { kid: await kidOf(jwk), jwk };
}

/** The keys as JwtCodec holds them: imported once as CryptoKeys (see codec.ts for why). */
export async function importSharedJwtKeys(alg: JwtAlg, keys: SharedJwtKeys): Promise<{ kid: string; signKey: CryptoKey; verifyKey: CryptoKey }> {
  if (alg === 'HS256') {
    const key = await webcrypto.subtle.importKey('jwk', keys.jwk as webcrypto.JsonWebKey, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return { kid: keys.kid, signKey: key, verifyKey: key };
  }
  const publicJwk: JWK = { ...keys.jwk };
  for (const member of PRIVATE_MEMBERS) delete publicJwk[member];
  const signKey = await importJWK(keys.jwk, alg);
  const verifyKey = await importJWK(publicJwk, alg);
  if (signKey instanceof Uint8Array || verifyKey instanceof Uint8Array) throw new Error(`shared ${alg} keys must be asymmetric`);
  return { kid: keys.kid, signKey, verifyKey };
}

/**
 * The keys in the forms node:crypto and fast-jwt take: the HMAC secret as bytes (HS256), or the private key as
 * PKCS#8 PEM and the public key as SPKI PEM. fast-jwt turns them into KeyObjects once, when the signer and the
 * verifier are made.
 */
export function nodeKeysOf(alg: JwtAlg, keys: SharedJwtKeys): { readonly kid: string; readonly signKey: Buffer | string; readonly verifyKey: Buffer | string } {
  if (alg === 'HS256') {
    const secret = Buffer.from(keys.jwk.k ?? '', 'base64url');
    return { kid: keys.kid, signKey: secret, verifyKey: secret };
  }
  const privateKey = createPrivateKey({ key: keys.jwk as JsonWebKey, format: 'jwk' });
  return {
    kid: keys.kid,
    signKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    verifyKey: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string,
  };
}
