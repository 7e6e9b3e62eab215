import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import { importPKCS8, importSPKI, jwtVerify } from 'jose';
import { JWT_ALGS, type JwtAlg } from '../../servers/config.js';
import type { JwtClaimsConfig } from '../../servers/jwt/claims.js';
import { jwtVerifyOptions, unsignedJwt } from '../../servers/jwt/jose-codec.js';
import { joseTaskName } from './schema.js';
import { failing, type MicroTaskDef } from './task.js';

/** What jose is handed as the key; jose 6 turns anything but a CryptoKey into one (WebCrypto) before using it. */
type JoseKey = Uint8Array | KeyObject | webcrypto.CryptoKey;

interface KeyVariant {
  readonly variant: string;
  readonly signKey: () => JoseKey;
  readonly verifyKey: () => JoseKey;
}

/**
 * The key forms compared, per algorithm:
 * - `raw`: what a naive user writes. HS256: the secret as a Uint8Array (made once), which jose imports into WebCrypto
 *   on every call. RS256, ES256, EdDSA: the PEM turned into a KeyObject inside each call (createPrivateKey /
 *   createPublicKey), the direct port of jsonwebtoken's `jwt.verify(token, pem)`; jose converts that new KeyObject to
 *   a CryptoKey on every call (the PEM parsing is counted too: it is part of what that code does).
 * - `KeyObject reused` (asymmetric only): one KeyObject made at start and passed every time. jose 6 caches its
 *   conversion per KeyObject, so this shows whether a naive but long-lived key already avoids the per-call import.
 * - `imported`: a CryptoKey imported once, what the servers' jose codec does (servers/jwt/shared-keys.ts).
 *
 * These rows call jose directly, to show why keys are imported once; the `jwt` group (jwt-tasks.ts) measures the
 * servers' codecs themselves.
 */
export const JOSE_VARIANTS = ['raw', 'KeyObject reused', 'imported'] as const;

const variantsFor = (alg: JwtAlg): readonly string[] => (alg === 'HS256' ? ['raw', 'imported'] : JOSE_VARIANTS);

/** Every jose task name, in run order: per algorithm, sign then verify, each in every key form. */
export function joseTaskNames(): string[] {
  return JWT_ALGS.flatMap((alg) => (['sign', 'verify'] as const).flatMap((op) => variantsFor(alg).map((v) => joseTaskName(alg, op, v))));
}

async function keyVariants(alg: JwtAlg): Promise<KeyVariant[]> {
  if (alg === 'HS256') {
    const secret = new Uint8Array(randomBytes(32));
    // Imported as servers/jwt/shared-keys.ts importSharedJwtKeys does.
    const key = await webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return [
      { variant: 'raw', signKey: () => secret, verifyKey: () => secret },
      { variant: 'imported', signKey: () => key, verifyKey: () => key },
    ];
  }
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privateCrypto = await importPKCS8(privatePem, alg);
  const publicCrypto = await importSPKI(publicPem, alg);
  return [
    { variant: 'raw', signKey: () => createPrivateKey(privatePem), verifyKey: () => createPublicKey(publicPem) },
    { variant: 'KeyObject reused', signKey: () => pair.privateKey, verifyKey: () => pair.publicKey },
    { variant: 'imported', signKey: () => privateCrypto, verifyKey: () => publicCrypto },
  ];
}

/**
 * jose key-form tasks (group `jose-key`): sign and verify for every algorithm and key form. The tokens carry the servers' claims and header
 * (unsignedJwt) and are verified with the servers' options (jwtVerifyOptions): only the key form differs between
 * the rows of one algorithm. An algorithm whose keys cannot be made gives errored tasks, not a crash.
 */
export async function joseTasks(claims: Omit<JwtClaimsConfig, 'jwtAlg'>): Promise<MicroTaskDef[]> {
  const tasks: MicroTaskDef[] = [];
  for (const alg of JWT_ALGS) {
    const config: JwtClaimsConfig = { ...claims, jwtAlg: alg };
    const kid = randomBytes(8).toString('hex');
    const nowSec = (): number => Math.floor(Date.now() / 1000);
    const sign = (key: JoseKey): Promise<string> => unsignedJwt(config, kid, 'u42', ['user'], nowSec()).sign(key);
    try {
      const variants = await keyVariants(alg);
      const imported = variants.find((v) => v.variant === 'imported');
      if (imported === undefined) throw new Error(`no imported key for ${alg}`);
      const token = await sign(imported.signKey());
      for (const v of variants) {
        tasks.push({ name: joseTaskName(alg, 'sign', v.variant), group: 'jose-key', opsPerSample: 1, fn: () => sign(v.signKey()), options: { async: true } });
      }
      for (const v of variants) {
        tasks.push({
          name: joseTaskName(alg, 'verify', v.variant),
          group: 'jose-key',
          opsPerSample: 1,
          fn: () => jwtVerify(token, v.verifyKey(), jwtVerifyOptions(config, Date.now())),
          options: { async: true },
        });
      }
    } catch (err) {
      for (const op of ['sign', 'verify'] as const) {
        for (const v of variantsFor(alg)) tasks.push(failing(joseTaskName(alg, op, v), 'jose-key', err));
      }
    }
  }
  return tasks;
}
