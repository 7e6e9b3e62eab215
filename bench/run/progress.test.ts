import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgress, progressLine } from './progress.js';

const recorder = (isTTY: boolean) => {
  const written: string[] = [];
  return { stream: { isTTY, write: (s: string) => written.push(s) > 0 }, written };
};

describe('progress on stderr', () => {
  it('names the step, its place and the time left from the mean step so far', () => {
    assert.equal(progressLine(0, 40, 'validate × jwt, repetition 1/3', 0), '[1/40] validate × jwt, repetition 1/3');
    assert.equal(progressLine(10, 40, 'session × jwt, repetition 2/3', 25), '[11/40] session × jwt, repetition 2/3, ~75 s left');
  });

  it('writes a plain line per step where stderr is not a terminal (a CI log), so a run is never silent', () => {
    let t = 0;
    const { stream, written } = recorder(false);
    const p = createProgress(stream, () => t);
    p.step(0, 2, 'a');
    t = 4000;
    p.step(1, 2, 'b');
    p.finish();
    assert.deepEqual(written, ['[1/2] a\n', '[2/2] b, ~4 s left\n']);
  });

  it('rewrites one line in place on a terminal, and clears it at the end', () => {
    const { stream, written } = recorder(true);
    const p = createProgress(stream, () => 0);
    p.step(0, 2, 'a');
    p.finish();
    assert.deepEqual(written, ['\r\x1b[2K[1/2] a', '\r\x1b[2K']);
  });
});
