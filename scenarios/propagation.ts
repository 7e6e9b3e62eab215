import type { PropagationScenario } from './scenario.js';

/**
 * Log out on one instance, poll the same token on the others (`--instances`, default 2): how long until every
 * instance refuses it, and how many requests it still got through after the logout was acknowledged; idle, then
 * with the polled instances under a validate load.
 */
export const propagation: PropagationScenario = {
  kind: 'propagation',
  name: 'propagation',
  summary: 'logout on one instance, the same token polled on the others until each refuses it',
  logouts: 20,
  quickLogouts: 5,
  tokenTtlSec: 3,
  windowMs: 4500,
  finePollMs: 100,
  coarsePollMs: 10,
  confirmations: 3,
  loadRps: 1000,
  quickLoadRps: 300,
};
