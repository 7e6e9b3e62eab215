/**
 * Progress on stderr: which cell, which repetition, time left. On a terminal one line rewritten in place; elsewhere
 * (a CI log, a pipe) a plain line per step, so a long run is never silent.
 */
export interface Progress {
  step(done: number, total: number, label: string): void;
  finish(): void;
}

/** `[3/40] validate × jwt, repetition 1/3, ~120 s left`: the time left from the mean step so far (none at first). */
export function progressLine(done: number, total: number, label: string, elapsedSec: number): string {
  const left = done > 0 ? (elapsedSec / done) * (total - done) : undefined;
  return `[${done + 1}/${total}] ${label}${left === undefined ? '' : `, ~${Math.ceil(left)} s left`}`;
}

export function createProgress(stream: Pick<NodeJS.WriteStream, 'write' | 'isTTY'> = process.stderr, now: () => number = Date.now): Progress {
  const started = now();
  const line = (done: number, total: number, label: string): string => progressLine(done, total, label, (now() - started) / 1000);
  if (stream.isTTY !== true) {
    return {
      step: (done, total, label) => void stream.write(`${line(done, total, label)}\n`),
      finish: () => {},
    };
  }
  return {
    step(done, total, label) {
      stream.write(`\r\x1b[2K${line(done, total, label)}`);
    },
    finish() {
      stream.write('\r\x1b[2K');
    },
  };
}
