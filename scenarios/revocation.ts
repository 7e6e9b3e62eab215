import type { RejectReason } from '../lib/errors.js';
import { refusesRevoked, type DesignTraits } from '../servers/design.js';
import { MeBodySample, meRequest, type Scenario } from './scenario.js';

/**
 * The reason a design with these traits gives (GET /metrics `rejected`) when it refuses a logged-out token, or
 * undefined for a design that does not refuse them. A design that keeps sessions finds none (`unknown_token`: the
 * logout deleted it); any other design that refuses revoked tokens keeps a record of the revocation (`revoked`).
 */
export function revokedRefusalReason(traits: DesignTraits): RejectReason | undefined {
  if (!refusesRevoked(traits)) return undefined;
  return traits.state.kind === 'session' ? 'unknown_token' : 'revoked';
}

/**
 * Tokens are logged out, then used on GET /me. Counts how many revoked tokens were still accepted: a design
 * that revokes only at expiry promises nothing (it accepts them until exp, and the README says so); every other
 * design must refuse every one (a propagated revocation has had the whole pool preparation to arrive).
 */
export const revocation: Scenario = {
  kind: 'load',
  name: 'revocation',
  summary: 'GET /me with tokens that were logged out: revoked tokens accepted',
  pool: { name: 'revocation', consumed: false },
  async plan(ctx) {
    const tokens = await ctx.tokens.issueNamed(ctx.poolSize);
    await ctx.tokens.revoke(tokens.map((t) => t.token));
    // A design that cannot revoke answers 200: that body too must name the token's user.
    const content = new MeBodySample();
    return { requests: [meRequest(tokens, content)], content };
  },
  // A refusal counts as correct only for the reason of a revoked token: never `malformed`, which no check reached.
  expect: (traits) => {
    const reason = revokedRefusalReason(traits);
    return reason !== undefined ? { ok: [401], wrong: [200], revokedAccepted: 200, refusals: [reason] } : { ok: [200], wrong: [], revokedAccepted: 200, refusals: [] };
  },
};
