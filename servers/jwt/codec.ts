import { randomBytes, randomUUID, webcrypto } from 'node:crypto';
import { SignJWT, errors as joseErrors, generateKeyPair, jwtVerify, type JWTHeaderParameters, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { UnauthorizedError, type RejectReason } from '../../lib/errors.js';
import type { JwtAlg, ServerConfig } from '../config.js';
import { importSharedJwtKeys } from './shared-keys.js';

export interface VerifiedClaims {
  readonly sub: string;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly exp: number;
  readonly roles: readonly string[];
}

/** Longest token string looked at; anything longer is refused before parsing. */
export const MAX_TOKEN_LENGTH = 4096;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const FORBIDDEN_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type CryptoKey = webcrypto.CryptoKey;

interface KeyPair {
  readonly kid: string;
  readonly signKey: CryptoKey;
  readonly verifyKey: CryptoKey;
}

/**
 * Keys are generated or imported once at start, as CryptoKeys: jose 6 goes through WebCrypto, and handing it
 * raw bytes would import the key again on every sign and verify (about half the throughput).
 */
async function loadKeys(alg: JwtAlg, secret: string | undefined): Promise<KeyPair> {
  const kid = randomBytes(8).toString('hex');
  if (alg === 'HS256') {
    const material = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
    const key = await webcrypto.subtle.importKey('raw', material, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return { kid, signKey: key as CryptoKey, verifyKey: key as CryptoKey };
  }
  const pair = await generateKeyPair(alg, alg === 'RS256' ? { modulusLength: 2048 } : {});
  return { kid, signKey: pair.privateKey, verifyKey: pair.publicKey };
}

function reasonOf(err: unknown): RejectReason {
  if (err instanceof UnauthorizedError) return err.reason;
  // jose reports an iat older than maxTokenAge as JWTExpired (claim 'iat'), and an iat in the future as
  // JWTClaimValidationFailed whose message also contains "past" ("it should be in the past").
  if (err instanceof joseErrors.JWTExpired) return err.claim === 'iat' ? 'too_old' : 'expired';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad_signature';
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported) return 'bad_header';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return 'bad_claims';
  return 'malformed';
}

/** The part of the server configuration that shapes the tokens: claims, header and verify options. */
export type JwtClaimsConfig = Pick<ServerConfig, 'jwtAlg' | 'tokenTtlSec' | 'issuer' | 'audience' | 'clockToleranceSec'>;

/**
 * The JWT a server issues, before signing: `typ`, `alg` and `kid` in the header; `sub`, `roles`, `iat`, `exp`, `jti`,
 * `iss` and `aud` in the payload. Exported so that the micro-benchmarks sign exactly what the servers sign.
 */
export function unsignedJwt(config: JwtClaimsConfig, kid: string, sub: string, roles: readonly string[], nowSec: number): SignJWT {
  return new SignJWT({ roles: [...roles] })
    .setProtectedHeader({ alg: config.jwtAlg, typ: 'JWT', kid })
    .setSubject(sub)
    .setIssuedAt(nowSec)
    .setExpirationTime(nowSec + config.tokenTtlSec)
    .setJti(randomUUID())
    .setIssuer(config.issuer)
    .setAudience(config.audience);
}

/**
 * The options the servers give jwtVerify (the header and claim checks after it are in JwtCodec.verify). Exported
 * so that the micro-benchmarks verify with the same checks.
 */
export function jwtVerifyOptions(config: JwtClaimsConfig, nowMs: number): JWTVerifyOptions {
  return {
    algorithms: [config.jwtAlg],
    issuer: config.issuer,
    audience: config.audience,
    typ: 'JWT',
    requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    clockTolerance: config.clockToleranceSec,
    maxTokenAge: config.tokenTtlSec,
    currentDate: new Date(nowMs),
  };
}

/** Signs and verifies this server's JWTs with every check of a reference implementation. */
export class JwtCodec {
  private constructor(
    private readonly config: ServerConfig,
    private readonly keys: KeyPair,
    private readonly clock: () => number,
  ) {}

  static async create(config: ServerConfig, clock: () => number): Promise<JwtCodec> {
    // The workers of `serve --workers N` share one key and kid; a single server makes its own.
    const keys = config.jwtKeys === undefined ? await loadKeys(config.jwtAlg, config.jwtSecret) : await importSharedJwtKeys(config.jwtAlg, config.jwtKeys);
    return new JwtCodec(config, keys, clock);
  }

  async sign(sub: string, roles: readonly string[]): Promise<string> {
    const now = Math.floor(this.clock() / 1000);
    return unsignedJwt(this.config, this.keys.kid, sub, roles, now).sign(this.keys.signKey);
  }

  /** Verified claims, or an UnauthorizedError whose reason says which check failed. */
  async verify(token: string): Promise<VerifiedClaims> {
    if (token.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(token)) throw new UnauthorizedError('malformed');
    const nowMs = this.clock();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (header: JWTHeaderParameters) => this.keyFor(header), jwtVerifyOptions(this.config, nowMs)));
    } catch (err) {
      throw new UnauthorizedError(reasonOf(err), { cause: err });
    }
    const { sub, jti, exp, roles } = payload;
    // jose allows clock tolerance on exp too. Expiry is checked strictly here so that a blacklist entry, whose
    // TTL is the token's remaining life, can never expire while the token it revokes is still accepted.
    if (typeof exp !== 'number' || exp * 1000 <= nowMs) throw new UnauthorizedError('expired');
    if (typeof sub !== 'string' || typeof jti !== 'string' || !UUID.test(jti)) throw new UnauthorizedError('bad_claims');
    if (!Array.isArray(roles) || !roles.every((r): r is string => typeof r === 'string')) {
      throw new UnauthorizedError('bad_claims');
    }
    return { sub, jti, exp, roles };
  }

  /** Keys come only from the fixed map of this server: embedded or remote keys are refused outright. */
  private keyFor(header: JWTHeaderParameters): CryptoKey {
    for (const name of FORBIDDEN_HEADERS) {
      if (name in header) throw new UnauthorizedError('bad_header');
    }
    if (header.kid !== this.keys.kid) throw new UnauthorizedError('bad_header');
    return this.keys.verifyKey;
  }
}
