import { createHmac, sign, type KeyObject } from 'node:crypto';

/**
 * Hand-made JWS compact tokens for security tests, built with node:crypto only (no jose), so that a forged
 * token is exactly what the test says it is.
 */

export type JsonObject = Record<string, unknown>;

/** Produces the base64url signature of a JWS signing input (`header.payload`). */
export type Signer = (signingInput: string) => string;

const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export const b64url = (bytes: string | Buffer): string => Buffer.from(bytes).toString('base64url');
export const b64json = (value: unknown): string => b64url(JSON.stringify(value));

function decodePart(part: string | undefined, name: string): JsonObject {
  if (part === undefined) throw new Error(`token has no ${name}`);
  const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${name} is not a JSON object`);
  return value as JsonObject;
}

/** Header and payload of a compact JWS, without any verification. */
export function decodeJwt(token: string): { header: JsonObject; payload: JsonObject } {
  const [header, payload] = token.split('.');
  return { header: decodePart(header, 'header'), payload: decodePart(payload, 'payload') };
}

/** HMAC with the given secret: HS256, HS384 or HS512. */
export function hmacSigner(alg: 'HS256' | 'HS384' | 'HS512', secret: string | Buffer): Signer {
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  return (input) => createHmac(hash, secret).update(input).digest('base64url');
}

/** RS256 (RSASSA-PKCS1-v1_5 with SHA-256) with a private RSA key. */
export function rs256Signer(privateKey: KeyObject): Signer {
  return (input) => sign('sha256', Buffer.from(input), privateKey).toString('base64url');
}

/** ES256: ECDSA P-256 / SHA-256, signature as raw r||s (IEEE P1363), as JWS requires, not DER. */
export function es256Signer(privateKey: KeyObject): Signer {
  return (input) => sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}

/** `b64(header).b64(payload).signature`; without a signer the signature part is empty (as for alg "none"). */
export function forgeJwt(header: JsonObject, payload: JsonObject, signer?: Signer): string {
  const input = `${b64json(header)}.${b64json(payload)}`;
  return `${input}.${signer === undefined ? '' : signer(input)}`;
}

/**
 * The same token with its signature spelled differently: the last base64url character of a signature whose
 * bit length is not a multiple of 6 carries unused low bits (2 of them for HS256's 32 bytes in 43 characters).
 * Flipping one gives a different string that decodes to the same bytes, so the signature still verifies.
 */
export function reencodeSignature(token: string): string {
  const dot = token.lastIndexOf('.');
  const signature = token.slice(dot + 1);
  const unusedBits = (signature.length * 6) % 8;
  if (unusedBits === 0) throw new Error('this signature has no unused bits to flip');
  const last = B64URL_ALPHABET.indexOf(signature.slice(-1));
  if (last < 0) throw new Error('signature is not base64url');
  const flipped = B64URL_ALPHABET[last ^ 1];
  return `${token.slice(0, dot + 1)}${signature.slice(0, -1)}${flipped}`;
}

/**
 * Two tokens signed with `signer` around a length limit, grown with a `pad` claim one character at a time:
 * the longest that is at most `max` characters, and the shortest that is longer.
 */
export function jwtsAroundLength(header: JsonObject, payload: JsonObject, signer: Signer, max: number): { fits: string; tooLong: string } {
  let fits: string | undefined;
  for (let pad = 0; ; pad++) {
    const token = forgeJwt(header, { ...payload, pad: 'x'.repeat(pad) }, signer);
    if (token.length > max) {
      if (fits === undefined) throw new Error(`even an unpadded token is longer than ${max}`);
      return { fits, tooLong: token };
    }
    fits = token;
  }
}

/** A copy of `object` without `name` (to drop one header parameter or claim). */
export function omit(object: JsonObject, name: string): JsonObject {
  const copy = { ...object };
  delete copy[name];
  return copy;
}
