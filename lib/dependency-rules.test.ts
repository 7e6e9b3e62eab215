import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// The rules are checked by running the depcruise binary with the project's config, as `npm run lint` does,
// rather than through the JS API, so the test covers the config loading and tsconfig handling lint relies on.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
}

/** The TypeScript source folders, as tsconfig.json lists them (lint cruises the same ones). */
async function sourceFolders(): Promise<string[]> {
  const tsconfig = JSON.parse(await readFile(join(ROOT, 'tsconfig.json'), 'utf8')) as { include: string[] };
  return tsconfig.include;
}

/** Runs depcruise in `cwd` over `folders` with the project's config and returns what it reports. */
function cruise(cwd: string, folders: readonly string[]): Promise<Violation[]> {
  const args = [DEPCRUISE, ...folders, '--config', CONFIG, '--output-type', 'json'];
  return new Promise((resolve, reject) => {
    // depcruise exits non-zero when it finds violations; only output that is not a cruise result is a failure.
    execFile(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (_err, stdout, stderr) => {
      try {
        const result = JSON.parse(stdout) as { summary: { violations: Violation[] } };
        resolve(result.summary.violations);
      } catch {
        reject(new Error(`depcruise gave no JSON result; stderr:\n${stderr}`));
      }
    });
  });
}

const describeViolation = (v: Violation): string => `${v.rule.name}: ${v.from} → ${v.to}`;

const reportedFrom = (violations: readonly Violation[], from: string): string[] =>
  violations.filter((v) => v.from === from).map(describeViolation);

/** A small tree with the project's folders and one planted violation per file named for it. */
const PLANTED: Readonly<Record<string, string>> = {
  // A cycle inside one layer.
  'scenarios/a.ts': "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n",
  'scenarios/b.ts': "import { a } from './a.js';\nexport const b = (): number => 1;\nexport const viaA = a;\n",
  // An upward import: servers/ sits below bench/.
  'bench/y.ts': 'export const y = 1;\n',
  'servers/x.ts': "import { y } from '../bench/y.js';\nexport const x = y;\n",
  // An upward import that is type-only, so it vanishes from compiled output.
  'redis/r.ts': 'export interface R {\n  readonly n: number;\n}\n',
  'lib/t.ts': "import type { R } from '../redis/r.js';\nexport const t = (r: R): number => r.n;\n",
  // Production code using a test helper; the helper itself may import any layer.
  'test-support/h.ts': "import { y } from '../bench/y.js';\nexport const h = y;\n",
  'cli/c.ts': "import { h } from '../test-support/h.js';\nexport const c = h;\n",
  // Build output imported as if it were source.
  'dist/lib/k.js': 'export const k = 1;\n',
  'bench/z.ts': "import { k } from '../dist/lib/k.js';\nexport const z = k;\n",
  // The benchmark reference server: its entry may import it, nothing else may (not even its neighbours).
  'bench/reference/fastify-jwt-server.ts': 'export const server = 1;\n',
  'bench/reference/serve-reference.ts': "import { server } from './fastify-jwt-server.js';\nexport const entry = server;\n",
  'bench/reference/compare.ts': "import { server } from './fastify-jwt-server.js';\nexport const compare = server;\n",
  // A test may import any layer and test-support: no violation expected from it.
  'servers/x.test.ts':
    "import { c } from '../cli/c.js';\nimport { y } from '../bench/y.js';\nimport { h } from '../test-support/h.js';\n" +
    'export const all = [c, y, h];\n',
};

describe('dependency rules (.dependency-cruiser.cjs)', () => {
  let dir: string;
  // Both cruises start together: each spends most of its time starting node and parsing TypeScript.
  let planted: Promise<Violation[]>;
  let project: Promise<Violation[]>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-depcruise-'));
    for (const [file, text] of Object.entries(PLANTED)) {
      await mkdir(join(dir, dirname(file)), { recursive: true });
      await writeFile(join(dir, file), text);
    }
    const folders = await sourceFolders();
    planted = cruise(dir, folders);
    project = cruise(ROOT, folders);
    // Awaited by their tests; this only keeps a failure from counting as unhandled before then.
    for (const p of [planted, project]) p.catch(() => undefined);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('on a tree with planted violations', () => {
    it('reports two modules that import each other as no-circular', async () => {
      const cycles = (await planted).filter((v) => v.rule.name === 'no-circular').map((v) => [v.from, v.to].sort());
      assert.deepEqual(cycles, [['scenarios/a.ts', 'scenarios/b.ts']]);
    });

    it('reports servers/ importing bench/ as an upward import', async () => {
      assert.deepEqual(reportedFrom(await planted, 'servers/x.ts'), [
        'no-upward-import-from-servers: servers/x.ts → bench/y.ts',
      ]);
    });

    it('reports an upward import that is type-only', async () => {
      assert.deepEqual(reportedFrom(await planted, 'lib/t.ts'), ['no-upward-import-from-lib: lib/t.ts → redis/r.ts']);
    });

    it('reports non-test code importing test-support/', async () => {
      assert.deepEqual(reportedFrom(await planted, 'cli/c.ts'), [
        'no-test-code-in-production: cli/c.ts → test-support/h.ts',
      ]);
    });

    it('reports an import of dist/', async () => {
      assert.deepEqual(reportedFrom(await planted, 'bench/z.ts'), [
        'no-import-from-dist: bench/z.ts → dist/lib/k.js',
      ]);
    });

    it('reports an import of the reference server from anywhere but its entry', async () => {
      const found = (await planted).filter((v) => v.rule.name === 'no-import-of-reference-server').map(describeViolation);
      assert.deepEqual(found, ['no-import-of-reference-server: bench/reference/compare.ts → bench/reference/fastify-jwt-server.ts']);
    });

    it('lets tests and test-support/ import any layer', async () => {
      const fromTestCode = (await planted).filter((v) => /\.test\.ts$|^test-support\//.test(v.from));
      assert.deepEqual(fromTestCode.map(describeViolation), []);
    });
  });

  it('finds no violation in the project sources', async () => {
    const found = (await project).map(describeViolation);
    assert.deepEqual(found, [], 'run `npm run lint` for the rule comments');
  });
});
