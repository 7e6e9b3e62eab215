/**
 * Ctrl-C handling shared by the long commands: the first SIGINT/SIGTERM aborts the returned signal (the command
 * stops its load, writes what finished and stops what it started); a second one exits at once, and the exit hook
 * in lib/children.ts kills whatever is still running.
 */
export function interruptOnSignals(what: string, exitCode = 130): AbortSignal {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`\n${signal}: stopping ${what}, writing what finished, stopping servers and Redis (again to force)\n`);
      controller.abort();
    } else {
      process.exit(exitCode);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
