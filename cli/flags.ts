import { InvalidOptionError } from '../lib/errors.js';

/** A numeric flag: `fallback` when absent; InvalidOptionError naming the flag and the rule when not a number that passes. */
export function numberFlag(flag: string, value: string | undefined, fallback: number, ok: (n: number) => boolean, rule: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new InvalidOptionError(`${flag} must be ${rule}, got ${JSON.stringify(value)}`);
  return n;
}

/** `10%`, `10` (percent) → 0.1. Throws InvalidOptionError (exit 2) naming the flag. */
export function parsePercent(flag: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(value);
  const n = m?.[1] === undefined ? NaN : Number(m[1]) / 100;
  if (!(n > 0 && n < 1)) throw new InvalidOptionError(`${flag} must be a percentage above 0 and below 100, like 10%, got ${JSON.stringify(value)}`);
  return n;
}
