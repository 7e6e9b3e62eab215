import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { delimiter, dirname } from 'node:path';
import { describe, it } from 'node:test';
import { CLI_PATH } from '../test-support/server-process.js';

// package.json's "bin" points at dist/cli/index.js, which tsc rewrites without an execute bit on every build;
// the build script sets it again. These tests see the build `npm test` just made.
describe('the authbench bin (dist/cli/index.js)', () => {
  it('is executable by its owner, group and others after the build', async () => {
    const { mode } = await stat(CLI_PATH);
    assert.equal(mode & 0o111, 0o111, `mode is ${(mode & 0o777).toString(8)}`);
  });

  it('runs by its own path through the shebang and prints the usage for --help', async () => {
    // The shebang finds node on PATH; put this node first so the child runs the same version.
    const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
    const { code, stdout, stderr } = await new Promise<{ code: number | string | null; stdout: string; stderr: string }>(
      (resolve) => {
        execFile(CLI_PATH, ['--help'], { env, encoding: 'utf8', timeout: 30_000 }, (err, out, errOut) => {
          resolve({ code: err === null ? 0 : (err.code ?? null), stdout: out, stderr: errOut });
        });
      },
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Usage: authbench \[options\] \[command\]/);
  });
});
