import { randomUUID, webcrypto } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify, type JWTHeaderParameters, type JWTVerifyOptions } from 'jose';
import { UnauthorizedError, type RejectReason } from '../../lib/errors.js';
import type { ServerConfig } from '../config.js';
import { checkHeader, checkNoDuplicateMembers, claimsOf, decodeSegment, JWS_COMPACT, MAX_TOKEN_LENGTH, REQUIRED_CLAIMS, type JwtClaimsConfig, type VerifiedClaims } from './claims.js';
import type { JwtCodec } from './types.js';
import { importSharedJwtKeys, type SharedJwtKeys } from './shared-keys.js';

type CryptoKey = webcrypto.CryptoKey;

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

/**
 * The JWT a server issues, before signing: `typ`, `alg` and `kid` in the header; `sub`, `roles`, `iat`, `exp`, `jti`,
 * `iss` and `aud` in the payload, and `sid` when a design gives one. Exported so that the micro-benchmarks sign
 * exactly what the servers sign.
 */
export function unsignedJwt(config: JwtClaimsConfig, kid: string, sub: string, roles: readonly string[], nowSec: number, sid?: string): SignJWT {
  return new SignJWT(sid === undefined ? { roles: [...roles] } : { roles: [...roles], sid })
    .setProtectedHeader({ alg: config.jwtAlg, typ: 'JWT', kid })
    .setSubject(sub)
    .setIssuedAt(nowSec)
    .setExpirationTime(nowSec + config.tokenTtlSec)
    .setJti(randomUUID())
    .setIssuer(config.issuer)
    .setAudience(config.audience);
}

/**
 * The options the servers give jwtVerify (the header and claim checks around it are claims.ts). Without `nowMs`,
 * jose reads the clock itself: one object, made once, serves every call. Exported so that the micro-benchmarks
 * verify with the same checks.
 */
export function jwtVerifyOptions(config: JwtClaimsConfig, nowMs?: number): JWTVerifyOptions {
  return {
    algorithms: [config.jwtAlg],
    issuer: config.issuer,
    audience: config.audience,
    typ: 'JWT',
    requiredClaims: [...REQUIRED_CLAIMS],
    clockTolerance: config.clockToleranceSec,
    maxTokenAge: config.tokenTtlSec,
    ...(nowMs === undefined ? {} : { currentDate: new Date(nowMs) }),
  };
}

/**
 * jose 6: every check through jwtVerify, keys imported once as CryptoKeys (handing jose raw bytes would import the
 * key again on every call, about half the throughput). What remains per call and cannot be removed from outside
 * jose: WebCrypto runs each HMAC or signature check as a job on the libuv thread pool (a hop there and back, and a
 * promise), and jose decodes base64url through its own JavaScript path. The verify options and the key resolver
 * are made once; with the live clock no Date is made per call by this code.
 */
export class JoseCodec implements JwtCodec {
  readonly impl = 'jose';
  private readonly liveOptions: JWTVerifyOptions;
  private readonly keyFor: (header: JWTHeaderParameters) => CryptoKey;

  private constructor(
    private readonly config: ServerConfig,
    private readonly keys: { readonly kid: string; readonly signKey: CryptoKey; readonly verifyKey: CryptoKey },
    private readonly clock: () => number,
  ) {
    this.liveOptions = jwtVerifyOptions(config);
    this.keyFor = (header) => {
      checkHeader(header as Record<string, unknown>, keys.kid);
      return keys.verifyKey;
    };
  }

  static async create(config: ServerConfig, keys: SharedJwtKeys, clock: () => number): Promise<JoseCodec> {
    return new JoseCodec(config, await importSharedJwtKeys(config.jwtAlg, keys), clock);
  }

  async sign(sub: string, roles: readonly string[], sid?: string): Promise<string> {
    return unsignedJwt(this.config, this.keys.kid, sub, roles, Math.floor(this.clock() / 1000), sid).sign(this.keys.signKey);
  }

  async verify(token: string): Promise<VerifiedClaims> {
    if (token.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(token)) throw new UnauthorizedError('malformed');
    // The live clock is jose's own; a frozen one (tests) goes in as currentDate.
    const live = this.clock === Date.now;
    const nowMs = this.clock();
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.keyFor, live ? this.liveOptions : jwtVerifyOptions(this.config, nowMs)));
    } catch (err) {
      // A header the servers refuse is `bad_header` whatever jose found first (it rejects b64: false as malformed
      // before it asks for the key), as fast-jwt-codec.ts reports it.
      const header = err instanceof UnauthorizedError ? undefined : decodeSegment(token, 0);
      if (header !== undefined) {
        try {
          checkHeader(header, this.keys.kid);
        } catch {
          throw new UnauthorizedError('bad_header', { cause: err });
        }
      }
      throw new UnauthorizedError(reasonOf(err), { cause: err });
    }
    checkNoDuplicateMembers(token);
    return claimsOf(payload, nowMs, this.config.clockToleranceSec);
  }
}
