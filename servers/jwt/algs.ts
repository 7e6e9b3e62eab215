/** The signing algorithms the servers support (--jwt-alg); keys are generated at start for all but HS256. */
export const JWT_ALGS = ['HS256', 'RS256', 'ES256', 'EdDSA'] as const;
export type JwtAlg = (typeof JWT_ALGS)[number];

/**
 * The JWT libraries a server can sign and verify with (--jwt-impl), each with every check (servers/jwt/codec.ts).
 * The first is the default: the fastest that passes every check (docs/method.md, "JWT libraries", and `authbench
 * micro` measure it).
 */
export const JWT_IMPLS = ['fast-jwt', 'jose'] as const;
export type JwtImpl = (typeof JWT_IMPLS)[number];

/** The libraries that verify through WebCrypto, whose every check is a job on the libuv thread pool (a hop and a promise). */
export const WEBCRYPTO_IMPLS: readonly JwtImpl[] = ['jose'];
