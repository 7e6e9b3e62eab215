/**
 * The number formats of every table and report (terminal, Markdown, HTML), so that the same figure reads the same
 * everywhere. A missing or non-finite figure is '–'.
 */

const known = (n: number | null | undefined): n is number => n !== null && n !== undefined && Number.isFinite(n);

/** A count or a rate, rounded, with thousands separators: `12,346`. */
export const fmtInt = (n: number | null | undefined): string => (known(n) ? Math.round(n).toLocaleString('en-US') : '–');

/** A latency percentile in milliseconds as autocannon records it (whole milliseconds): `<1` is under one. */
export const fmtMs = (n: number | null | undefined): string => (!known(n) ? '–' : n < 1 ? '<1' : String(Math.round(n)));

/** A span of time measured with a sub-millisecond clock (time to detect, to recover): whole milliseconds. */
export const fmtDurationMs = (n: number | null | undefined): string => (known(n) ? String(Math.round(n)) : '–');

/** A fraction as a percentage: `fmtPercent(0.256)` is `26%`, `fmtPercent(0.256, 1)` is `25.6%`. */
export const fmtPercent = (n: number | null | undefined, digits = 0): string => (known(n) ? `${(n * 100).toFixed(digits)}%` : '–');

/** Microseconds with one decimal: `12.3`. */
export const fmtUs = (n: number | null | undefined): string => (known(n) ? n.toFixed(1) : '–');
