import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';

const root = new URL('../../', import.meta.url);

/** The `run:` commands of the workflow's steps, in order (one-line ones; the multi-line apt-get step is left out). */
function workflowCommands(yaml: string): string[] {
  return yaml
    .split('\n')
    .map((l) => /^\s*(?:- )?run: (?!\|)(.+)$/.exec(l)?.[1]?.trim())
    .filter((c): c is string => c !== undefined);
}

describe('.github/workflows/bench.yml and the script that runs its steps here', () => {
  it('runs the same commands in the same order, the gate in relative mode against the base commit', async () => {
    const yaml = await readFile(new URL('.github/workflows/bench.yml', root), 'utf8');
    const script = await readFile(new URL('scripts/bench-workflow-local.sh', root), 'utf8');
    const steps = workflowCommands(yaml);
    assert.deepEqual(steps, ['npm ci --no-audit --no-fund', 'npm test', 'npm run bench:ci -- --base "$BASE_SHA"']);
    const local = [...script.matchAll(/^\s*# workflow-step: (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(local, steps);
    for (const command of steps) assert.ok(script.includes(`\n${command}`) || script.includes(`  ${command}`), `the script runs ${command}`);
    assert.match(yaml, /BASE_SHA: \$\{\{ github\.event\.pull_request\.base\.sha \}\}/);
    assert.match(yaml, /fetch-depth: 0/, 'the base commit is in the clone');
    const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> };
    assert.match(pkg.scripts['bench:ci'] ?? '', /cli\/index\.js ci$/, 'bench:ci passes its arguments to `authbench ci`');
  });
});
