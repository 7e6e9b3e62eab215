import { createHmac, createPrivateKey, createPublicKey, randomBytes, webcrypto, type JsonWebKey } from 'node:crypto';
import type { JWK } from 'jose';
import { InvalidOptionError } from '../../lib/errors.js';
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

/**
 * jose, loaded when a key pair is made or read: an HS256 server with fast-jwt (the default) never needs it, and every
 * server start would otherwise pay for loading it.
 */
const jose = (): Promise<typeof import('jose')> => import('jose');

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
  return (await jose()).calculateJwkThumbprint(publicJwk, 'sha256');
}

/** The key a single server would make: the HS256 secret given (or 32 random bytes), or a new key pair. */
export async function createSharedJwtKeys(alg: JwtAlg, secret: string | undefined): Promise<SharedJwtKeys> {
  if (alg === 'HS256') {
    const material = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
    const jwk: JWK = { kty: 'oct', k: material.toString('base64url') };
    return { kid: await kidOf(jwk), jwk };
  }
  const { exportJWK, generateKeyPair } = await jose();
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
  const { importJWK } = await jose();
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

/** The JWK key type (and curve) each algorithm signs with. */
const KEY_TYPES: Readonly<Record<JwtAlg, { kty: string; crv?: string }>> = {
  HS256: { kty: 'oct' },
  RS256: { kty: 'RSA' },
  ES256: { kty: 'EC', crv: 'P-256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
};

/**
 * The key of AUTHBENCH_JWT_KEY: `{"jwk": <private JWK, or the oct JWK for HS256>}` (a `kid` given beside it is
 * ignored: it is derived from the key, kidOf). Lets several `serve` processes share one key of any algorithm (the
 * propagation scenario starts them so); through the environment, never argv. Throws InvalidOptionError naming the
 * variable for anything else.
 */
export async function parseSharedJwtKeys(text: string, alg: JwtAlg): Promise<SharedJwtKeys> {
  const fail = (why: string): never => {
    throw new InvalidOptionError(`AUTHBENCH_JWT_KEY must be {"jwk": <a private ${alg} JWK>}: ${why}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('not JSON');
  }
  const jwk = (parsed as { jwk?: unknown } | null)?.jwk;
  if (typeof jwk !== 'object' || jwk === null) return fail('no jwk object');
  const key = jwk as JWK;
  const want = KEY_TYPES[alg];
  if (key.kty !== want.kty || (want.crv !== undefined && key.crv !== want.crv)) return fail(`its kty/crv is ${String(key.kty)}/${String(key.crv)}, not ${want.kty}${want.crv === undefined ? '' : `/${want.crv}`}`);
  if (alg === 'HS256' && Buffer.from(String(key.k ?? ''), 'base64url').length < 32) return fail('an HS256 key needs at least 32 bytes');
  if (alg !== 'HS256' && typeof key.d !== 'string') return fail('no private member d');
  try {
    await importSharedJwtKeys(alg, { kid: '', jwk: key });
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  return { kid: await kidOf(key), jwk: key };
}
