import type { RunConfig } from './run-config.js';

/** The method, in words, recorded with the numbers and printed above every table. */
export function describeMethod(config: RunConfig, redisOwned: boolean): string[] {
  const loop =
    config.rate === undefined
      ? `closed loop: ${config.connections} connections, each sends its next request when the previous one is answered`
      : `open loop: ${config.rate} req/s over ${config.connections} connections (autocannon overallRate), latencies corrected for coordinated omission`;
  return [
    `load: autocannon, ${loop}; pipelining 1; request timeout ${config.timeoutSec} s`,
    `each cell: ${config.warmupSec} s warm-up (not counted), then ${config.durationSec} s measured; ${config.repeat} repetition(s), strategies in alternating order (A B C, C B A, …)`,
    'each repetition starts a fresh server process per design (compiled JavaScript) that runs the ceiling, then each scenario; one server under load at a time; Redis is a separate process on loopback',
    redisOwned ? 'Redis: started by authbench, persistence off, flushed between repetitions' : 'Redis: the URL given; nothing is flushed or deleted',
    'req/s counts only correct answers (median, min–max over repetitions); errors, timeouts, non-2xx and wrong answers are shown apart',
    'latency: autocannon HdrHistogram percentiles per repetition (whole milliseconds: "<1" is under a millisecond), median over repetitions; max is the largest of all',
    '× ceiling: req/s divided by GET /health req/s of the same design in the same run (the framework alone)',
    'load generator CPU is recorded per repetition; "saturated" marks cells where it reached 90% of a core and may have set the pace',
  ];
}
