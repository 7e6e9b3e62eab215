import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { scenarios } from '../../scenarios/index.js';
import { ME_PER_SESSION } from '../../scenarios/session.js';
import { designOf } from '../../servers/designs/index.js';
import { budgetFor, parseBudgets } from './budget.js';
import { moduleClosure, writeArtilleryExport } from './export.js';
import { arrivalPhase, EXPORTABLE_SCENARIOS, HOOKS } from './script.js';

interface Script {
  config: { target: string; processor: string; phases: Record<string, unknown>[]; ensure?: { thresholds?: Record<string, number>[]; conditions?: { expression: string }[] }; plugins?: Record<string, unknown>; includeFiles: string[]; 'x-authbench': Record<string, unknown> };
  scenarios: { name: string; flow: Record<string, { url: string; beforeRequest: string; afterResponse: string }>[] }[];
}

describe('authbench export artillery: the scripts come from the scenario registry', () => {
  let dir = '';
  const design = designOf('redis-token');
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-artillery-export-'));
    await writeArtilleryExport({
      target: 'http://127.0.0.1:3000',
      design: design.name,
      traits: design.traits,
      rps: 700,
      durationSec: 5,
      users: 1000,
      pools: { validate: 1000, revocation: 500 },
      timeoutSec: 10,
      scenarios: EXPORTABLE_SCENARIOS,
      budgets: (s) => budgetFor(s, { default: { errorRate: 0.001 }, validate: { p99Ms: 20 } }, {}),
      outDir: dir,
    });
  });
  after(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });
  const script = async (name: string): Promise<Script> => JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')) as Script;

  it('writes a script and a processor per load scenario of the registry, and nothing for outage or propagation', async () => {
    const files = (await readdir(dir)).filter((f) => f !== 'authbench').sort();
    assert.deepEqual(files, EXPORTABLE_SCENARIOS.flatMap((s) => [`${s}.json`, `${s}.processor.mjs`]).sort());
    assert.deepEqual([...EXPORTABLE_SCENARIOS].sort(), Object.values(scenarios).filter((s) => s.kind === 'load').map((s) => s.name).sort());
  });

  it('gives validate one GET /me per virtual user at the offered rate, and session its whole sequence at rate ÷ requests', async () => {
    const validate = await script('validate');
    assert.deepEqual(validate.scenarios[0]?.flow, [{ get: { url: '/me', beforeRequest: HOOKS.beforeRequest, afterResponse: HOOKS.afterResponse } }]);
    assert.deepEqual(validate.config.phases, [{ name: 'validate at 700 req/s', duration: 5, arrivalRate: 700 }]);
    const session = await script('session');
    const steps = session.scenarios[0]?.flow.map((s) => `${Object.keys(s)[0]} ${Object.values(s)[0]?.url}`);
    assert.deepEqual(steps, ['post /login', ...Array.from({ length: ME_PER_SESSION }, () => 'get /me'), 'post /logout']);
    // 700 req/s ÷ 7 requests per session = 100 sessions a second, a whole number: an arrival rate.
    assert.deepEqual(session.config.phases, [{ name: 'session at 700 req/s', duration: 5, arrivalRate: 700 / (ME_PER_SESSION + 2) }]);
  });

  it('records the pool and the expectation of the design, as the registry gives them', async () => {
    const revocation = await script('revocation');
    assert.deepEqual(revocation.config['x-authbench']['expect'], JSON.parse(JSON.stringify(scenarios.revocation.expect(design.traits))));
    assert.deepEqual(revocation.config['x-authbench']['pool'], { name: 'revocation', consumed: false, size: 500 });
    // logout consumes its pool: a token per virtual user of the phase (700 × 5) and a margin.
    const logout = await script('logout');
    assert.ok((logout.config['x-authbench']['pool'] as { size: number }).size >= 700 * 5);
  });

  it('turns the budget into ensure thresholds (p99 and error rate), the file entry over its default', async () => {
    const validate = await script('validate');
    assert.deepEqual(validate.config.ensure?.thresholds, [{ 'http.response_time.p99': 20 }]);
    assert.deepEqual(validate.config.ensure?.conditions?.map((c) => c.expression), ['(http.requests - authbench.correct) / http.requests <= 0.001']);
    assert.deepEqual(validate.config.plugins, { ensure: {} });
    const login = await script('login');
    assert.equal(login.config.ensure?.thresholds, undefined, 'no p99 for login in the budget');
  });

  it('ships the processor with every compiled module it imports, and only those', async () => {
    const validate = await script('validate');
    for (const f of validate.config.includeFiles) await readFile(join(dir, f));
    assert.ok(validate.config.includeFiles.includes('authbench/scenarios/validate.js'));
    assert.ok(!validate.config.includeFiles.some((f) => f.includes('servers/designs/')), 'no server code');
    const processor = await readFile(join(dir, 'validate.processor.mjs'), 'utf8');
    assert.match(processor, /import \{ createProcessor \} from '\.\/authbench\/bench\/artillery\/processor\.js'/);
    assert.match(processor, /"poolSize": 1000/);
  });
});

describe('the export helpers', () => {
  it('uses arrivalCount when the rate is not a whole number of virtual users per second', () => {
    assert.deepEqual(arrivalPhase('session', 1000, 7, 10), { name: 'session at 1000 req/s', duration: 10, arrivalCount: 1429 });
  });

  it('refuses a module that imports a package, naming it', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    await assert.rejects(moduleClosure(root, 'bench/load/tokens.js'), /imports the package undici/);
  });

  it('refuses a budget file with an unknown field or a bad value, naming the key', () => {
    assert.throws(() => parseBudgets('{"validate":{"p99":20}}', 'b.json'), /b\.json: "validate" must be an object with p99Ms and\/or errorRate, got p99/);
    assert.throws(() => parseBudgets('{"default":{"errorRate":5}}', 'b.json'), /"default"\.errorRate must be a fraction/);
    assert.deepEqual(budgetFor('validate', parseBudgets('{"default":{"errorRate":0.01,"p99Ms":50},"validate":{"p99Ms":20}}', 'b'), { errorRate: 0 }), { errorRate: 0, p99Ms: 20 });
  });
});
