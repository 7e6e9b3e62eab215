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
  if (groups.has('jose')) {
    lines.push(
      "jose: the servers' claims and verify options (servers/jwt/codec.ts: sub, roles, iat, exp, jti, iss, aud; typ and kid in the header; HS256 key 32 bytes, RSA 2048, P-256, Ed25519); only the key form differs between rows",
      "jose raw: HS256 a Uint8Array secret, which jose imports into WebCrypto on every call; RS256/ES256/EdDSA a KeyObject made from the PEM inside each call (createPrivateKey/createPublicKey, as a port of jsonwebtoken's verify(token, pem) does), which jose converts on every call, PEM parsing included",
      'jose KeyObject reused: one KeyObject made at start and passed on every call (jose 6 caches its conversion per object); imported: a CryptoKey imported once, as the servers do',
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
