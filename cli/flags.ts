import { InvalidOptionError } from '../lib/errors.js';

/** A numeric flag: `fallback` when absent; InvalidOptionError naming the flag and the rule when not a number that passes. */
export function numberFlag(flag: string, value: string | undefined, fallback: number, ok: (n: number) => boolean, rule: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new InvalidOptionError(`${flag} must be ${rule}, got ${JSON.stringify(value)}`);
  return n;
}
