import { createPrivateKey, createPublicKey, webcrypto, type JsonWebKey } from 'node:crypto';
import { resolveServerConfig } from '../../servers/config.js';
import { WEBCRYPTO_IMPLS, type JwtAlg, type JwtImpl } from '../../servers/jwt/algs.js';
import { createJwtCodec } from '../../servers/jwt/codec.js';
import { createSharedJwtKeys, type SharedJwtKeys } from '../../servers/jwt/shared-keys.js';
import { cryptoFloor } from './crypto-floor.js';

/** The signature check of one token, alone, two ways: what any library has to spend, and what WebCrypto adds. */
export interface SignaturePrimitives {
  /** node:crypto with a KeyObject made once, synchronous: the floor (crypto-floor.ts). */
  floor(): boolean;
  /** WebCrypto (crypto.subtle.verify) with a CryptoKey imported once: the same check as a thread-pool job. */
  webCrypto(): Promise<boolean>;
}

const WEBCRYPTO_ALGS: Record<JwtAlg, { import: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams | webcrypto.HmacImportParams | webcrypto.Algorithm; verify: webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams }> = {
  HS256: { import: { name: 'HMAC', hash: 'SHA-256' }, verify: 'HMAC' },
  RS256: { import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, verify: 'RSASSA-PKCS1-v1_5' },
  ES256: { import: { name: 'ECDSA', namedCurve: 'P-256' }, verify: { name: 'ECDSA', hash: 'SHA-256' } },
  EdDSA: { import: { name: 'Ed25519' }, verify: 'Ed25519' },
};

/** The primitives that check `token`'s signature with the server's key (its signing input and its signature bytes). */
export async function signaturePrimitives(alg: JwtAlg, keys: SharedJwtKeys, token: string): Promise<SignaturePrimitives> {
  const dot = token.lastIndexOf('.');
  const input = Buffer.from(token.slice(0, dot));
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  const params = WEBCRYPTO_ALGS[alg];
  const cryptoKey =
    alg === 'HS256'
      ? await webcrypto.subtle.importKey('raw', Buffer.from(keys.jwk.k ?? '', 'base64url'), params.import, false, ['verify'])
      : await webcrypto.subtle.importKey('jwk', createPublicKey(createPrivateKey({ key: keys.jwk as JsonWebKey, format: 'jwk' })).export({ format: 'jwk' }) as webcrypto.JsonWebKey, params.import, false, ['verify']);
  return {
    floor: cryptoFloor(alg, keys, token).verify,
    webCrypto: () => webcrypto.subtle.verify(params.verify, cryptoKey, signature, input),
  };
}

/** CPU microseconds per call of `op`, run `total` times with `concurrency` in flight (as a server runs them). */
export async function cpuPerCall(op: () => unknown, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next++ < total) await op();
  };
  await Promise.all(Array.from({ length: 8 }, worker)); // warm-up
  next = 0;
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const d = process.cpuUsage(before);
  return (d.user + d.system) / total;
}

/** Where one library's verify goes, CPU µs per call. */
export interface JwtPartCosts {
  /** The codec's verify, every check of the servers. */
  readonly verifyCpuUs: number;
  /** The signature check alone, node:crypto with a KeyObject. */
  readonly floorCpuUs: number;
  /** What the thread-pool hop adds to the check (WebCrypto − floor); null for a library that does not take it. */
  readonly threadPoolCpuUs: number | null;
}

/**
 * Measures, in this process and like a server spends it (many calls in flight), each library's verify of one token
 * of `alg` with every check, the signature primitive alone (the floor), and for a WebCrypto library the same
 * primitive through WebCrypto, whose excess over the floor is the thread-pool hop.
 */
export async function measureJwtParts(alg: JwtAlg, impls: readonly JwtImpl[], calls: number): Promise<Partial<Record<JwtImpl, JwtPartCosts>>> {
  const keys = await createSharedJwtKeys(alg, undefined);
  const out: Partial<Record<JwtImpl, JwtPartCosts>> = {};
  for (const impl of impls) {
    const codec = await createJwtCodec({ ...resolveServerConfig({ jwtAlg: alg, jwtImpl: impl }), jwtKeys: keys }, Date.now);
    const token = await codec.sign('u1', ['user']);
    const primitives = await signaturePrimitives(alg, keys, token);
    if (!primitives.floor() || !(await primitives.webCrypto())) throw new Error(`the ${alg} signature primitives do not verify the codec's token`);
    const verifyCpuUs = await cpuPerCall(() => codec.verify(token), calls, 64);
    const floorCpuUs = await cpuPerCall(primitives.floor, calls, 64);
    const threadPoolCpuUs = WEBCRYPTO_IMPLS.includes(impl) ? (await cpuPerCall(primitives.webCrypto, calls, 64)) - floorCpuUs : null;
    out[impl] = { verifyCpuUs, floorCpuUs, threadPoolCpuUs };
  }
  return out;
}
