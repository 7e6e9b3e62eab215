import type { Scenario } from './scenario.js';

/** GET /health: the framework alone, no authentication. Every other figure is also given as a fraction of it. */
export const ceiling: Scenario = {
  kind: 'load',
  name: 'ceiling',
  ceiling: true,
  summary: 'GET /health, no auth: what the framework alone does on this machine',
  async plan() {
    return { requests: [{ method: 'GET', path: '/health' }] };
  },
  expect: () => ({ ok: [200], wrong: [] }),
};
