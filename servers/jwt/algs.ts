/** The signing algorithms the servers support (--jwt-alg); keys are generated at start for all but HS256. */
export const JWT_ALGS = ['HS256', 'RS256', 'ES256', 'EdDSA'] as const;
export type JwtAlg = (typeof JWT_ALGS)[number];
