import type { JwtImpl } from './algs.js';
import type { VerifiedClaims } from './claims.js';

/**
 * Signs and verifies this server's JWTs with every check of a reference implementation, whatever the library:
 * one pinned algorithm, `typ`, `kid` from the server's own map, no embedded or remote key headers, no unknown
 * `crit`, `iss`, `aud`, required `exp`/`iat`/`sub`/`jti`, strict `exp`, a maximum token age, a UUID `jti`, a roles
 * array. A refused token throws an UnauthorizedError whose reason does not depend on the library.
 */
export interface JwtCodec {
  readonly impl: JwtImpl;
  /** `sid`: the session claim of a design that keeps one (jwt-refresh); left out of the token when undefined. */
  sign(sub: string, roles: readonly string[], sid?: string): string | Promise<string>;
  /** Synchronous where the library is (the designs await it either way). */
  verify(token: string): VerifiedClaims | Promise<VerifiedClaims>;
}
