import { randomUUID } from 'node:crypto';
import { createSigner, createVerifier, TokenError, type VerifierOptions } from 'fast-jwt';
import { UnauthorizedError, type RejectReason } from '../../lib/errors.js';
import type { ServerConfig } from '../config.js';
import type { ServerMetrics } from '../metrics.js';
import { checkHeader, checkNoDuplicateMembers, claimsOf, decodeSegment, JWS_COMPACT, MAX_TOKEN_LENGTH, REQUIRED_CLAIMS, type VerifiedClaims } from './claims.js';
import type { JwtCodec } from './types.js';
import { nodeKeysOf, type SharedJwtKeys } from './shared-keys.js';

type Verify = (token: string) => { header: Record<string, unknown>; payload: Record<string, unknown> };
type Sign = (payload: Record<string, unknown>) => string;

const REASONS: Partial<Record<string, RejectReason>> = {
  [TokenError.codes.invalidSignature]: 'bad_signature',
  [TokenError.codes.invalidAlgorithm]: 'bad_header',
  [TokenError.codes.invalidCritHeader]: 'bad_header',
  // jose reports a wrong or missing typ as a failed claim check: the same reason, whatever the library.
  [TokenError.codes.invalidType]: 'bad_claims',
  [TokenError.codes.missingRequiredClaim]: 'bad_claims',
  [TokenError.codes.invalidClaimType]: 'bad_claims',
  [TokenError.codes.invalidClaimValue]: 'bad_claims',
  [TokenError.codes.inactive]: 'bad_claims',
};

/**
 * fast-jwt 6 (the library behind @fastify/jwt): verification is synchronous, through node:crypto with KeyObjects
 * made once. The library checks the algorithm (one, pinned), the signature, `crit`, `typ`, the required claims,
 * `iss`, `aud`, `exp` and `nbf` (with the clock tolerance) and the maximum age from `iat`; claims.ts adds what it
 * does not: the header's `kid` and forbidden key headers, strict `exp`, `iat` not in the future, the UUID `jti`,
 * the roles. Its verification cache is off unless `--jwt-cache N` (hits and misses counted on /metrics).
 */
export class FastJwtCodec implements JwtCodec {
  readonly impl = 'fast-jwt';
  private readonly options: Partial<VerifierOptions & { key: Buffer | string }>;
  private readonly liveVerify: Verify;
  private readonly signer: Sign;
  private readonly kid: string;

  constructor(
    private readonly config: ServerConfig,
    keys: SharedJwtKeys,
    private readonly clock: () => number,
    metrics: ServerMetrics | undefined,
  ) {
    const { kid, signKey, verifyKey } = nodeKeysOf(config.jwtAlg, keys);
    this.kid = kid;
    this.options = {
      key: verifyKey,
      algorithms: [config.jwtAlg],
      complete: true,
      checkTyp: 'JWT',
      allowedIss: config.issuer,
      allowedAud: config.audience,
      // iss and aud too: fast-jwt skips a value check when the claim is absent.
      requiredClaims: [...REQUIRED_CLAIMS, 'iss', 'aud'],
      clockTolerance: config.clockToleranceSec * 1000,
      // jose's maxTokenAge allows the clock tolerance; fast-jwt's maxAge does not: the same bound either way.
      maxAge: (config.tokenTtlSec + config.clockToleranceSec) * 1000,
      cache: config.jwtCache > 0 ? config.jwtCache : false,
    };
    this.liveVerify = createVerifier(this.options) as unknown as Verify;
    if (metrics !== undefined) countCache(this.liveVerify, metrics);
    this.signer = createSigner({ key: signKey, algorithm: config.jwtAlg, kid, iss: config.issuer, aud: config.audience, expiresIn: config.tokenTtlSec * 1000 }) as unknown as Sign;
  }

  static async create(config: ServerConfig, keys: SharedJwtKeys, clock: () => number, metrics?: ServerMetrics): Promise<FastJwtCodec> {
    return new FastJwtCodec(config, keys, clock, metrics);
  }

  sign(sub: string, roles: readonly string[], sid?: string): string {
    // iat from our clock (fast-jwt computes exp from it), so a frozen clock in the tests shapes the token too.
    const iat = Math.floor(this.clock() / 1000);
    return this.signer(sid === undefined ? { sub, roles: [...roles], jti: randomUUID(), iat } : { sub, roles: [...roles], sid, jti: randomUUID(), iat });
  }

  verify(token: string): VerifiedClaims {
    if (token.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(token)) throw new UnauthorizedError('malformed');
    const nowMs = this.clock();
    // fast-jwt fixes its clock when a verifier is made: the live one reads Date.now() per call; a frozen clock
    // (tests only) gets a verifier of its own per call.
    const verify = this.clock === Date.now ? this.liveVerify : (createVerifier({ ...this.options, cache: false, clockTimestamp: nowMs }) as unknown as Verify);
    let decoded: ReturnType<Verify>;
    try {
      decoded = verify(token);
    } catch (err) {
      throw new UnauthorizedError(this.reasonOf(err, token, nowMs), { cause: err });
    }
    checkHeader(decoded.header, this.kid);
    checkNoDuplicateMembers(token);
    return claimsOf(decoded.payload, nowMs, this.config.clockToleranceSec);
  }

  /**
   * The same reason jose would give. A forbidden or foreign key header is `bad_header` even when the signature
   * check failed first (jose checks the header before the signature); `expired` from the maximum age is `too_old`.
   */
  private reasonOf(err: unknown, token: string, nowMs: number): RejectReason {
    const header = decodeSegment(token, 0);
    if (header !== undefined) {
      try {
        checkHeader(header, this.kid);
      } catch {
        return 'bad_header';
      }
    }
    const code = err instanceof TokenError ? String(err.code) : '';
    if (code === TokenError.codes.expired) {
      // fast-jwt checks exp (with the tolerance) before the age from iat, and reports both as expired.
      const exp = decodeSegment(token, 1)?.['exp'];
      const pastExp = typeof exp === 'number' && exp * 1000 + this.config.clockToleranceSec * 1000 < nowMs;
      return pastExp ? 'expired' : 'too_old';
    }
    return REASONS[code] ?? 'malformed';
  }
}

/** Counts the verification cache's hits and misses into the server's metrics (fast-jwt exposes its LRU as `cache`). */
function countCache(verify: Verify, metrics: ServerMetrics): void {
  const cache = (verify as unknown as { cache?: { get(key: string): unknown } | null }).cache;
  if (cache === undefined || cache === null) return;
  const get = cache.get.bind(cache);
  cache.get = (key: string): unknown => {
    const value = get(key);
    if (value === undefined) metrics.jwtCacheMisses++;
    else metrics.jwtCacheHits++;
    return value;
  };
}
