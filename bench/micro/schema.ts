import type { Environment } from '../run/environment.js';
import { JWT_ALGS, type JwtAlg } from '../../servers/config.js';

export type MicroGroup = 'jose' | 'tokens' | 'json' | 'redis';

/**
 * One tinybench task, as data. `ok`: completed; `errored`: the task threw (the message is kept); `aborted`: the run
 * was interrupted (the figures, when present, cover the samples taken until then).
 */
export interface MicroTaskResult {
  readonly name: string;
  readonly group: MicroGroup;
  readonly status: 'ok' | 'errored' | 'aborted';
  readonly error?: string;
  /** Operations one sample stands for: 1, or the batch size / commands in flight; the figures below are per operation. */
  readonly opsPerSample: number;
  /** 1 / mean time per operation. */
  readonly opsPerSec: number | null;
  readonly meanNs: number | null;
  /** 99th percentile of the samples (per operation; for batched tasks, of the per-batch means). */
  readonly p99Ns: number | null;
  /** Relative margin of error of the mean, in percent (95% confidence, Student's t). */
  readonly rme: number | null;
  readonly samples: number;
}

/** Options of `authbench micro`, as recorded in the result (the Redis URL without credentials). */
export interface MicroRecordedConfig {
  readonly timeMs: number;
  readonly warmupMs: number;
  readonly minSamples: number;
  readonly filter: string | null;
  readonly tasks: readonly string[];
  readonly batch: number;
  readonly inFlight: number;
  readonly redis: string;
}

/** imported ÷ raw verify throughput for one algorithm (null when either task did not complete). */
export interface VerifyRatio {
  readonly alg: JwtAlg;
  readonly rawOpsPerSec: number | null;
  readonly importedOpsPerSec: number | null;
  /** RS256, ES256, EdDSA: the same KeyObject passed on every call (jose caches its conversion). */
  readonly keyObjectOpsPerSec: number | null;
  readonly importedOverRaw: number | null;
}

export interface MicroResult {
  readonly schemaVersion: 1;
  readonly tool: 'authbench';
  readonly kind: 'micro';
  readonly status: 'complete' | 'interrupted';
  readonly environment: Environment;
  readonly config: MicroRecordedConfig;
  /** The method, in sentences, printed above the table. */
  readonly method: readonly string[];
  readonly tasks: readonly MicroTaskResult[];
  readonly verifyRatios: readonly VerifyRatio[];
}

/** Name of a jose task: `<alg> <sign|verify> <variant>`. */
export const joseTaskName = (alg: JwtAlg, op: 'sign' | 'verify', variant: string): string => `${alg} ${op} ${variant}`;

/** Per algorithm, verify ops/s with the key imported once divided by ops/s with the raw key. Pure. */
export function verifyRatios(tasks: readonly MicroTaskResult[]): VerifyRatio[] {
  const ops = (name: string): number | null => {
    const t = tasks.find((x) => x.name === name && x.group === 'jose');
    return t?.status === 'ok' ? t.opsPerSec : null;
  };
  return JWT_ALGS.filter((alg) => tasks.some((t) => t.group === 'jose' && t.name.startsWith(`${alg} verify `))).map((alg) => {
    const raw = ops(joseTaskName(alg, 'verify', 'raw'));
    const imported = ops(joseTaskName(alg, 'verify', 'imported'));
    return {
      alg,
      rawOpsPerSec: raw,
      importedOpsPerSec: imported,
      keyObjectOpsPerSec: ops(joseTaskName(alg, 'verify', 'KeyObject reused')),
      importedOverRaw: raw !== null && imported !== null && raw > 0 ? Math.round((imported / raw) * 100) / 100 : null,
    };
  });
}
