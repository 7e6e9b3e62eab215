import { JWT_IMPLS } from '../../servers/config.js';
import type { MicroConfig } from './config.js';
import type { MicroGroup } from './schema.js';

/**
 * The method, in words, recorded with the numbers and printed above the table: the general lines, then those of
 * the groups that ran. `redis` says which Redis was used.
 */
export function describeMicroMethod(config: MicroConfig, tinybenchVersion: string, redis: string, groups: ReadonlySet<MicroGroup>): string[] {
  const lines = [
    `tinybench ${tinybenchVersion}, one process, tasks one after the other; per task ${config.warmupMs} ms warm-up (at least ${config.warmupSamples} calls, not counted), then ${config.timeMs} ms of samples (at least ${config.minSamples})`,
    'ops/s = 1 / mean time per op; mean and p99 per op in µs; ± = relative margin of error of the mean (95%)',
  ];
  if (groups.has('jwt-codec')) {
    lines.push(
      `jwt/<impl>/<alg>/<op>: the servers' own codec (createJwtCodec, --jwt-impl <impl>: ${JWT_IMPLS.join(' or ')}; verification cache off), what a server runs: sign = the token of one login (sub, roles, iat, exp, jti, iss, aud; typ and kid in the header); verify = every check of the servers (length and shape, pinned algorithm, kid, no embedded keys, crit, signature, typ, iss, aud, required claims, strict exp, max age, iat not in the future, UUID jti, roles)`,
      "jwt/fast-jwt: synchronous node:crypto, KeyObjects made once, called without an await; jwt/jose: jose through WebCrypto with CryptoKeys imported once, awaited (each HMAC or signature check is a job on the libuv thread pool)",
      "jwt/floor/<alg>/<op>: the signature primitive alone, node:crypto with KeyObjects made once, on the signing input and signature of the token the codecs verify (decoded once, untimed): HS256 createHmac('sha256') (+ timingSafeEqual to verify); RS256 crypto.sign/verify('sha256'); ES256 the same with dsaEncoding ieee-p1363; EdDSA crypto.sign/verify(null); no parsing, no claims",
      'jwt-codec: per algorithm one key (HS256 32 bytes, RSA 2048, P-256, Ed25519) and one token, shared by every codec and the floor; one call per sample, its answer checked; × floor = the mean per op ÷ the floor\'s mean',
    );
  }
  if (groups.has('jose-key')) {
    lines.push(
      "jose-key: jose called directly with the servers' claims and verify options (unsignedJwt, jwtVerifyOptions in servers/jwt/jose-codec.ts), without the checks the codec adds around jose (claims.ts); only the key form differs between rows",
      "jose-key raw: HS256 a Uint8Array secret, which jose imports into WebCrypto on every call; RS256/ES256/EdDSA a KeyObject made from the PEM inside each call (createPrivateKey/createPublicKey, as a port of jsonwebtoken's verify(token, pem) does), which jose converts on every call, PEM parsing included",
      'jose-key KeyObject reused: one KeyObject made at start and passed on every call (jose 6 caches its conversion per object); imported: a CryptoKey imported once, as the servers do',
    );
  }
  if (groups.has('tokens') || groups.has('json')) {
    lines.push(`tokens, json: each sample is the mean of ${config.batch} calls in a loop (one call is below the timer's resolution); p99 is over those means`);
  }
  if (groups.has('redis')) {
    lines.push(
      `redis: ${redis}; one ioredis connection configured as the servers' (servers/store/redis-store.ts); keys token:{uuid} (a stored session record for GET; written before each DEL, untimed) and blacklist:{uuid} (absent, for EXISTS); every answer checked`,
      `redis "one at a time": one sample = one command awaited; "${config.inFlight} in flight": one sample = ${config.inFlight} commands sent at once and awaited together, divided by ${config.inFlight}, so ops/s is commands per second at that concurrency and mean is amortised, not one command's latency`,
    );
  }
  return lines;
}
