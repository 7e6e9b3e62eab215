import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ServerConfig } from './config.js';
import type { RejectReason } from '../lib/errors.js';
import { assertAccepted, assertRefused } from '../test-support/auth-probe.js';
import { b64url, forgeJwt, type JsonObject } from '../test-support/jwt-forge.js';
import { JWT_DESIGNS, JWT_MATRIX, withJwtServer } from '../test-support/jwt-servers.js';
import { startTestRedis, type TestRedis } from '../test-support/redis.js';

/**
 * Time claims with a frozen clock (in-process app, clock option), for every JWT implementation and algorithm: exp
 * checked strictly, a small clock tolerance on iat, and a maximum token age (the token lifetime) measured from iat
 * whatever exp says.
 * Each case is one second either side of a boundary, which only a frozen clock makes exact.
 */

const NOW_MS = Date.UTC(2026, 0, 1, 12, 0, 0);
const NOW = NOW_MS / 1000;

interface TimeCase {
  readonly what: string;
  /** iat and exp relative to the frozen now, in seconds. */
  readonly times: (cfg: ServerConfig) => { iat: number; exp: number };
  /** undefined: accepted. */
  readonly reason: RejectReason | undefined;
}

const cases: readonly TimeCase[] = [
  { what: 'a token one second before exp is accepted', times: () => ({ iat: -60, exp: 1 }), reason: undefined },
  { what: 'a token at exp is refused', times: () => ({ iat: -60, exp: 0 }), reason: 'expired' },
  {
    what: 'a token expired by less than the clock tolerance is refused (no tolerance on exp)',
    times: (c) => ({ iat: -60, exp: -(c.clockToleranceSec - 1) }),
    reason: 'expired',
  },
  { what: 'a token expired an hour ago is refused', times: () => ({ iat: -7200, exp: -3600 }), reason: 'expired' },
  {
    what: 'a token issued token-lifetime plus tolerance ago, exp still ahead, is accepted',
    times: (c) => ({ iat: -(c.tokenTtlSec + c.clockToleranceSec), exp: 600 }),
    reason: undefined,
  },
  {
    what: 'a token issued longer ago than the maximum token age is refused although exp is still ahead',
    times: (c) => ({ iat: -(c.tokenTtlSec + c.clockToleranceSec + 1), exp: 600 }),
    reason: 'too_old',
  },
  {
    what: 'a token issued days ago with an exp a year ahead is refused as too old',
    times: () => ({ iat: -3 * 86_400, exp: 365 * 86_400 }),
    reason: 'too_old',
  },
  {
    what: 'a token issued in the future within the clock tolerance is accepted',
    times: (c) => ({ iat: c.clockToleranceSec, exp: 60 }),
    reason: undefined,
  },
  {
    what: 'a token issued in the future beyond the clock tolerance is refused',
    times: (c) => ({ iat: c.clockToleranceSec + 1, exp: 60 }),
    reason: 'bad_claims',
  },
  { what: 'a token issued an hour in the future is refused', times: () => ({ iat: 3600, exp: 7200 }), reason: 'bad_claims' },
];

let redis: TestRedis;
before(async () => {
  redis = await startTestRedis();
});
after(async () => {
  await redis?.close();
});

for (const strategy of JWT_DESIGNS) {
  for (const { impl, alg } of JWT_MATRIX) {
    describe(`${strategy}, ${impl}, ${alg}: time claims against a frozen clock`, () => {
      const s = withJwtServer(strategy, impl, alg, () => redis.server.url, { config: { tokenTtlSec: 600, clockToleranceSec: 5 }, clock: () => NOW_MS });

      it('the server issues iat = now and exp = now + token lifetime on the frozen clock', () => {
        assert.equal(s.payload['iat'], NOW);
        assert.equal(s.payload['exp'], NOW + s.config.tokenTtlSec);
      });

      for (const { what, times, reason } of cases) {
        it(what, async () => {
          const { iat, exp } = times(s.config);
          const token = forgeJwt(s.header, { ...s.payload, jti: randomUUID(), iat: NOW + iat, exp: NOW + exp }, s.sign);
          if (reason === undefined) await assertAccepted(s.target, token, 'u42');
          else await assertRefused(s.target, token, reason);
        });
      }

      /** Other time claims, each on the genuine claims (iat = now, exp = now + lifetime). */
      const odd: readonly { what: string; edit: Record<string, unknown>; reason: RejectReason | undefined }[] = [
        { what: 'an nbf beyond the clock tolerance in the future is refused', edit: { nbf: NOW + 60 }, reason: 'bad_claims' },
        { what: 'an nbf within the clock tolerance in the future is accepted', edit: { nbf: NOW + 4 }, reason: undefined },
        { what: 'an nbf that is a string is refused', edit: { nbf: String(NOW) }, reason: 'bad_claims' },
        { what: 'an exp with a fraction (RFC 7519 allows non-integer NumericDate) still ahead is accepted', edit: { exp: NOW + 60.5 }, reason: undefined },
        { what: 'an exp with a fraction just behind now is refused', edit: { exp: NOW - 0.5 }, reason: 'expired' },
        { what: 'a huge exp (1e20) is refused by the maximum token age, not taken as never expiring', edit: { iat: NOW - 3 * 86_400, exp: 1e20 }, reason: 'too_old' },
        { what: 'an exp of Infinity spelled as a huge literal (1e400) is refused', edit: { exp: 'HUGE' }, reason: 'bad_claims' },
      ];
      for (const { what, edit, reason } of odd) {
        it(what, async () => {
          let token: string;
          if (edit['exp'] === 'HUGE') {
            // JSON.stringify cannot write 1e400 (it is Infinity): write the claims set by hand.
            const body = JSON.stringify({ ...s.payload, jti: randomUUID(), exp: 1 }).replace('"exp":1', '"exp":1e400');
            const input = `${b64url(JSON.stringify(s.header))}.${b64url(body)}`;
            token = `${input}.${s.sign(input)}`;
          } else {
            token = forgeJwt(s.header, { ...s.payload, jti: randomUUID(), ...edit } as JsonObject, s.sign);
          }
          if (reason === undefined) await assertAccepted(s.target, token, 'u42');
          else await assertRefused(s.target, token, reason);
        });
      }
    });
  }
}
