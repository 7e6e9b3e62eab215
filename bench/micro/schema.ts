import type { Environment } from '../run/environment.js';
import { JWT_ALGS, JWT_IMPLS, type JwtAlg, type JwtImpl } from '../../servers/config.js';

/**
 * `jwt`: sign and verify through the servers' own codecs, per implementation, beside the crypto floor;
 * `jose-key`: jose called directly with the key in different forms (why the servers import keys once).
 */
export type MicroGroup = 'jwt-codec' | 'jose-key' | 'tokens' | 'json' | 'redis';

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

/** One implementation's mean beside the floor's, for one algorithm and operation. */
export interface ImplOverFloor {
  readonly impl: JwtImpl;
  readonly meanNs: number | null;
  /** The codec's mean ÷ the floor's mean (2 decimals); null when either task did not complete. */
  readonly overFloor: number | null;
}

/** Per algorithm and operation: what each codec costs against the bare signature primitive. */
export interface FloorComparison {
  readonly alg: JwtAlg;
  readonly op: JwtOp;
  readonly floorMeanNs: number | null;
  /** One entry per implementation, in JWT_IMPLS order. */
  readonly impls: readonly ImplOverFloor[];
}

/**
 * Version 2: the jose key-form tasks are in group `jose-key` (was `jose`), the `jwt` group and `floorComparisons`
 * are new.
 */
export interface MicroResult {
  readonly schemaVersion: 2;
  readonly tool: 'authbench';
  readonly kind: 'micro';
  readonly status: 'complete' | 'interrupted';
  readonly environment: Environment;
  readonly config: MicroRecordedConfig;
  /** The method, in sentences, printed above the table. */
  readonly method: readonly string[];
  readonly tasks: readonly MicroTaskResult[];
  readonly verifyRatios: readonly VerifyRatio[];
  readonly floorComparisons: readonly FloorComparison[];
}

export const JWT_OPS = ['sign', 'verify'] as const;
export type JwtOp = (typeof JWT_OPS)[number];

/** What a `jwt` task goes through: a server's codec of one implementation, or the bare crypto. */
export type JwtPath = JwtImpl | 'floor';

/** Name of a `jwt` task: `jwt/<impl|floor>/<alg>/<sign|verify>`, so `--filter jwt/jose` or `--filter /HS256/` select. */
export const jwtTaskName = (path: JwtPath, alg: JwtAlg, op: JwtOp): string => `jwt/${path}/${alg}/${op}`;

/** Name of a jose key-form task: `<alg> <sign|verify> <variant>`. */
export const joseTaskName = (alg: JwtAlg, op: 'sign' | 'verify', variant: string): string => `${alg} ${op} ${variant}`;

/** num ÷ den to 2 decimals, or null when either is missing. */
const ratio = (num: number | null, den: number | null): number | null => (num !== null && den !== null && den > 0 ? Math.round((num / den) * 100) / 100 : null);

/** Per algorithm, verify ops/s with the key imported once divided by ops/s with the raw key. Pure. */
export function verifyRatios(tasks: readonly MicroTaskResult[]): VerifyRatio[] {
  const ops = (name: string): number | null => {
    const t = tasks.find((x) => x.name === name && x.group === 'jose-key');
    return t?.status === 'ok' ? t.opsPerSec : null;
  };
  return JWT_ALGS.filter((alg) => tasks.some((t) => t.group === 'jose-key' && t.name.startsWith(`${alg} verify `))).map((alg) => {
    const raw = ops(joseTaskName(alg, 'verify', 'raw'));
    const imported = ops(joseTaskName(alg, 'verify', 'imported'));
    return {
      alg,
      rawOpsPerSec: raw,
      importedOpsPerSec: imported,
      keyObjectOpsPerSec: ops(joseTaskName(alg, 'verify', 'KeyObject reused')),
      importedOverRaw: ratio(imported, raw),
    };
  });
}

/**
 * Per operation (verify first) and algorithm that ran, each codec's mean time per op divided by the floor's: what
 * the library and the servers' checks add to the signature primitive. Pure.
 */
export function floorComparisons(tasks: readonly MicroTaskResult[]): FloorComparison[] {
  const mean = (name: string): number | null => {
    const t = tasks.find((x) => x.name === name && x.group === 'jwt-codec');
    return t?.status === 'ok' ? t.meanNs : null;
  };
  const ran = (alg: JwtAlg, op: JwtOp): boolean =>
    (['floor', ...JWT_IMPLS] as const).some((path) => tasks.some((t) => t.group === 'jwt-codec' && t.name === jwtTaskName(path, alg, op)));
  return (['verify', 'sign'] as const).flatMap((op) =>
    JWT_ALGS.filter((alg) => ran(alg, op)).map((alg) => {
      const floorMeanNs = mean(jwtTaskName('floor', alg, op));
      return {
        alg,
        op,
        floorMeanNs,
        impls: JWT_IMPLS.map((impl) => {
          const meanNs = mean(jwtTaskName(impl, alg, op));
          return { impl, meanNs, overFloor: ratio(meanNs, floorMeanNs) };
        }),
      };
    }),
  );
}
