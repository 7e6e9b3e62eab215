import { UnauthorizedError } from '../../lib/errors.js';
import type { ServerConfig } from '../config.js';
import { hasDuplicateMembers } from './json-members.js';

/** What a verified token tells the design: whose it is, its id (for a blacklist), when it expires, its roles. */
export interface VerifiedClaims {
  readonly sub: string;
  readonly jti: string;
  /** Seconds since the epoch (finite). */
  readonly exp: number;
  /** Seconds since the epoch (finite). */
  readonly iat: number;
  readonly roles: readonly string[];
  /**
   * The session the token belongs to (a UUID), for a design that keeps one beside its short-lived tokens
   * (jwt-refresh: its refresh-token family); absent from the other designs' tokens.
   */
  readonly sid?: string;
}

/** The part of the server configuration that shapes the tokens: claims, header and verify options. */
export type JwtClaimsConfig = Pick<ServerConfig, 'jwtAlg' | 'tokenTtlSec' | 'issuer' | 'audience' | 'clockToleranceSec'>;

/** Longest token string looked at; anything longer is refused before parsing. */
export const MAX_TOKEN_LENGTH = 4096;
/** Three non-empty base64url segments: anything else is refused before a library sees it. */
export const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/**
 * Header parameters refused outright: those that would let a token bring or point to its own key, and `crit` and
 * `b64` (RFC 7515 §4.1.11, RFC 7797): the servers implement no extension, so a token that needs one is not theirs.
 */
export const FORBIDDEN_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit', 'b64'] as const;
/** The registered claims every token must carry (iss and aud are checked for their value too). */
export const REQUIRED_CLAIMS = ['exp', 'iat', 'sub', 'jti'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Keys come only from the server's own map (one kid); embedded or remote keys are refused: `bad_header`. */
export function checkHeader(header: Readonly<Record<string, unknown>>, kid: string): void {
  for (const name of FORBIDDEN_HEADERS) {
    if (name in header) throw new UnauthorizedError('bad_header');
  }
  if (header['kid'] !== kid) throw new UnauthorizedError('bad_header');
}

/**
 * The checks made after a library accepted the signature and the registered claims, the same for every
 * implementation: `exp` strictly in the future (libraries allow the clock tolerance on exp too; checked strictly so
 * that a blacklist entry, whose TTL is the token's remaining life, never expires while the token it revokes is still
 * accepted), `iat` not beyond the tolerance in the future, a string `sub`, a UUID `jti`, `roles` an array of
 * strings, and `sid`, when present, a UUID (whether it must be present is the design's call).
 */
export function claimsOf(payload: Readonly<Record<string, unknown>>, nowMs: number, toleranceSec: number): VerifiedClaims {
  const { sub, jti, exp, iat, roles, sid } = payload;
  // 1e400 in the JSON is Infinity to JSON.parse: a NumericDate must be finite.
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new UnauthorizedError('bad_claims');
  if (exp * 1000 <= nowMs) throw new UnauthorizedError('expired');
  if (typeof iat !== 'number' || !Number.isFinite(iat) || (iat - toleranceSec) * 1000 > nowMs) throw new UnauthorizedError('bad_claims');
  if (typeof sub !== 'string' || typeof jti !== 'string' || !UUID.test(jti)) throw new UnauthorizedError('bad_claims');
  if (!Array.isArray(roles) || !roles.every((r): r is string => typeof r === 'string')) throw new UnauthorizedError('bad_claims');
  if (sid === undefined) return { sub, jti, exp, iat, roles };
  if (typeof sid !== 'string' || !UUID.test(sid)) throw new UnauthorizedError('bad_claims');
  return { sub, jti, exp, iat, roles, sid };
}

/** The header or payload of a compact JWS, or undefined when it is not base64url JSON of an object (error paths only). */
export function decodeSegment(token: string, index: 0 | 1): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a token whose header (`bad_header`) or claims set (`bad_claims`) gives a member name twice (see
 * json-members.ts). Called once the signature verified, so only tokens that could be accepted pay for it.
 */
export function checkNoDuplicateMembers(token: string): void {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (hasDuplicateMembers(Buffer.from(token.slice(0, first), 'base64url').toString('utf8'))) throw new UnauthorizedError('bad_header');
  if (hasDuplicateMembers(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'))) throw new UnauthorizedError('bad_claims');
}
