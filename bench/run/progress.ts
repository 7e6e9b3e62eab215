/** Progress on stderr: which cell, which repetition, time left. Silent when stderr is not a terminal. */
export interface Progress {
  step(done: number, total: number, label: string): void;
  finish(): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, enabled = stream.isTTY === true): Progress {
  if (!enabled) return { step: () => {}, finish: () => {} };
  const started = Date.now();
  return {
    step(done, total, label) {
      const elapsed = (Date.now() - started) / 1000;
      const left = done > 0 ? (elapsed / done) * (total - done) : undefined;
      const eta = left === undefined ? '' : `, ~${Math.ceil(left)} s left`;
      stream.write(`\r\x1b[2K[${done + 1}/${total}] ${label}${eta}`);
    },
    finish() {
      stream.write('\r\x1b[2K');
    },
  };
}
