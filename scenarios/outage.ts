import type { OutageScenario } from './scenario.js';

/**
 * GET /me at a fixed rate through a Redis fault (before, during, after): mostly valid tokens, and a share of
 * tokens that were revoked before the fault, so a blacklist lost to the fault shows up as revoked tokens accepted.
 */
export const outage: OutageScenario = {
  kind: 'outage',
  name: 'outage',
  summary: 'open-loop GET /me (90% valid, 10% revoked tokens) before, during and after a Redis fault',
  validTokens: 500,
  revokedTokens: 100,
  revokedShare: 0.1,
  rateReference: 'validate',
};
