import type { ChildProcess } from 'node:child_process';

/**
 * Every child process authbench starts (Redis servers, benchmarked servers) is tracked here so that no exit
 * path leaves one behind: the graceful paths stop them one by one, and this `exit` hook SIGKILLs whatever is
 * left when the process ends for any other reason (an uncaught error, process.exit in a signal handler).
 * It is process-wide on purpose: the process is the unit that must not leak children.
 */
const live = new Set<ChildProcess>();
let hooked = false;

export function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const c of live) {
        try {
          if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
        } catch {
          // Already gone.
        }
      }
    });
  }
}

/** Children still running (for tests and the Ctrl-C path). */
export function liveChildren(): readonly ChildProcess[] {
  return [...live];
}

/** Sends `signal`, then SIGKILL after `graceMs`; resolves when the child has exited. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    // A stopped (SIGSTOP) child would hold SIGTERM pending until continued.
    child.kill('SIGCONT');
    child.kill(signal);
  });
}
