import Table from 'cli-table3';

/**
 * Fitting the terminal output into a terminal of 120 columns: prose wrapped at word boundaries with a hanging
 * indent, notes as numbered footnotes under a table, and a table whose widest columns wrap inside their cells when
 * it would be wider. The Markdown and HTML report do not use these: they keep every column.
 */

/** The widest line `authbench run` writes to stdout. */
export const TERMINAL_WIDTH = 120;

/** Columns of a line, counted in code points (the box-drawing characters of the tables are one each). */
export const columns = (line: string): number => [...line].length;

/** The widest line of a text. */
export const widestLine = (text: string): number => Math.max(0, ...text.split('\n').map(columns));

/**
 * A text in lines of at most `width` columns (the first line: `first` columns), broken at spaces; a word longer than
 * its line is cut. Runs of spaces at a break are dropped; an existing line break is kept.
 */
export function wrapWords(text: string, width: number, first = width): string[] {
  const out: string[] = [];
  const room = (): number => Math.max(1, out.length === 0 ? first : width);
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ').filter((x) => x !== '')) {
      let rest = word;
      // Start the word on a line of its own when it does not fit after the line so far; cut it when no line holds it.
      if (line !== '' && columns(line) + 1 + columns(rest) > room()) {
        out.push(line);
        line = '';
      }
      if (line !== '') line = `${line} ${rest}`;
      else {
        while (columns(rest) > room()) {
          const piece = [...rest].slice(0, room()).join('');
          out.push(piece);
          rest = [...rest].slice(columns(piece)).join('');
        }
        line = rest;
      }
    }
    out.push(line);
  }
  return out;
}

/**
 * One line of prose in lines of at most `width` columns, the later lines indented: by `indent` when given, else under
 * the text after a short leading label (`method: `, `note: `), else by two.
 */
export function wrapProse(line: string, width = TERMINAL_WIDTH, indent?: number): string {
  if (columns(line) <= width) return line;
  const label = /^[a-z][\w -]{0,15}: /.exec(line)?.[0];
  const hang = Math.min(indent ?? (label === undefined ? 2 : columns(label)), Math.floor(width / 2));
  return wrapWords(line, width - hang, width)
    .map((l, i) => (i === 0 ? l : `${' '.repeat(hang)}${l}`))
    .join('\n');
}

/** Every line of a text wrapped (see wrapProse). */
export const wrapText = (text: string, width = TERMINAL_WIDTH): string =>
  text
    .split('\n')
    .map((l) => wrapProse(l, width))
    .join('\n');

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** A number in superscript digits: `sup(12)` is `¹²`. */
export const sup = (n: number): string => [...String(n)].map((d) => SUPERSCRIPT[Number(d)] ?? d).join('');

/**
 * The notes of one table, numbered in the order they are first marked; the same text marked twice keeps its number.
 * `marks` gives the suffix of a cell (` ¹,²`), `lines` the footnotes under the table (`¹ INVALID: generator lag`).
 */
export class Footnotes {
  private readonly texts: string[] = [];

  /** The number of a note, numbering it if new. */
  number(text: string): number {
    const at = this.texts.indexOf(text);
    if (at >= 0) return at + 1;
    this.texts.push(text);
    return this.texts.length;
  }

  /** The suffix of a cell that has these notes: '' for none, ` ¹` for one, ` ¹,³` for two. */
  marks(texts: readonly string[]): string {
    const ns = [...new Set(texts.filter((t) => t !== '').map((t) => this.number(t)))];
    return ns.length === 0 ? '' : ` ${ns.map(sup).join(',')}`;
  }

  get size(): number {
    return this.texts.length;
  }

  /** The footnotes, each wrapped under its text. */
  lines(width = TERMINAL_WIDTH): string[] {
    return this.texts.map((t, i) => wrapProse(`${sup(i + 1)} ${t}`, width, columns(sup(i + 1)) + 1));
  }
}

/** A table to fit: its titles, rows, and the columns whose cells may wrap at spaces before any other is cut. */
export interface TableSpec {
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Indices of the columns whose cells may wrap at spaces when the table is too wide (a design's name). */
  readonly wrap?: readonly number[];
  /**
   * Indices of the columns that hold lists (statuses, commands): their cells wrap at spaces before any other column
   * does, and a table whose other cells are whole counts as fitting whole.
   */
  readonly lists?: readonly number[];
}

/** The width a list is wrapped to before any other column wraps. */
const LIST_WIDTH = 16;

/** Columns of a table whose columns are `widths` wide (cli-table3: a space either side, a rule between). */
export const tableWidth = (widths: readonly number[]): number => widths.reduce((a, w) => a + w + 3, 1);

const longestWord = (text: string): number => Math.max(0, ...text.split(/[\s]+/).map(columns));
const cellWidth = (text: string): number => Math.max(0, ...text.split('\n').map(columns));

function render(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  for (const r of rows) table.push([...r]);
  return table.toString();
}

/** The width of each column: as wide as its widest cell, or narrower where the table has to be. */
function fitWidths(spec: TableSpec, max: number): number[] {
  const n = spec.head.length;
  const data = Array.from({ length: n }, (_, i) => Math.max(0, ...spec.rows.map((r) => cellWidth(r[i] ?? ''))));
  const w = spec.head.map((h, i) => Math.max(data[i] ?? 0, cellWidth(h)));
  const over = (): number => tableWidth(w) - max;
  // Narrow the widest column that can still go down to its floor by one, again and again, until the table fits: the
  // columns narrowed end up about as wide as each other.
  const shrink = (floor: (i: number) => number, which: (i: number) => boolean): void => {
    while (over() > 0) {
      let best = -1;
      for (let i = 0; i < n; i++) if (which(i) && (w[i] ?? 0) > floor(i) && (best < 0 || (w[i] ?? 0) > (w[best] ?? 0))) best = i;
      if (best < 0) return;
      w[best] = (w[best] ?? 0) - 1;
    }
  };
  // 1. Titles on two lines or more (nothing is lost): down to the widest cell or the longest word of the title.
  shrink((i) => Math.max(data[i] ?? 0, longestWord(spec.head[i] ?? '')), () => true);
  // 2. The lists at spaces, to a width that still reads as a list; then the names at spaces, then cut (a name longer
  // than a line is cut before a list goes narrower); then the lists and every other column at spaces; then any
  // column cut: whatever the cells hold, the table fits.
  const lists = new Set(spec.lists ?? []);
  const wrappable = new Set(spec.wrap ?? []);
  const longest = spec.head.map((h, i) => Math.max(longestWord(h), ...spec.rows.map((r) => longestWord(r[i] ?? ''))));
  const words = (i: number): number => longest[i] ?? 0;
  shrink((i) => Math.max(words(i), LIST_WIDTH), (i) => lists.has(i));
  shrink(words, (i) => wrappable.has(i));
  shrink(() => LIST_WIDTH, (i) => wrappable.has(i));
  shrink(words, () => true);
  shrink(() => 3, () => true);
  return w;
}

/** The cells of a table wrapped to the widths. */
const wrapped = (cells: readonly string[], widths: readonly number[]): string[] => cells.map((c, i) => (cellWidth(c) <= (widths[i] ?? 0) ? c : wrapWords(c, widths[i] ?? 1).join('\n')));

/** True when the table fits `max` columns with its cells whole, but for its lists (titles and lists may wrap). */
export function fitsWhole(spec: TableSpec, max = TERMINAL_WIDTH): boolean {
  const n = spec.head.length;
  const lists = new Set(spec.lists ?? []);
  const width = (i: number) => (cell: string): number => (lists.has(i) ? longestWord(cell) : cellWidth(cell));
  const widths = Array.from({ length: n }, (_, i) => Math.max(longestWord(spec.head[i] ?? ''), ...spec.rows.map((r) => width(i)(r[i] ?? ''))));
  return tableWidth(widths) <= max;
}

/**
 * A cli-table3 table of at most `max` columns: titles wrap first, then the wrappable columns' cells at spaces, then
 * any cell; a word wider than its column is cut. Nothing is dropped.
 */
export function fitTable(spec: TableSpec, max = TERMINAL_WIDTH): string {
  let budget = max;
  let out = '';
  // A character the table library counts wider or narrower than one column: measure, and take the difference off.
  for (let attempt = 0; attempt < 4; attempt++) {
    const widths = fitWidths(spec, budget);
    out = render(wrapped(spec.head, widths), spec.rows.map((r) => wrapped(r, widths)));
    const excess = widestLine(out) - max;
    if (excess <= 0) return out;
    budget -= excess;
  }
  return out;
}

/**
 * The first of several layouts of one table (each a narrower choice of columns) that fits with its cells whole; the
 * last, fitted, when none does. `index` says which was taken.
 */
export function fitFirst(specs: readonly TableSpec[], max = TERMINAL_WIDTH): { table: string; index: number } {
  const index = specs.findIndex((s) => fitsWhole(s, max));
  const at = index < 0 ? specs.length - 1 : index;
  const spec = specs[at];
  if (spec === undefined) return { table: '', index: -1 };
  return { table: fitTable(spec, max), index: at };
}

/**
 * `label path` on one line when it fits, else the path alone on the next line, indented by two: a path is never
 * broken (it is copied whole), so only a path longer than the terminal passes its edge.
 */
export function labelledPath(label: string, path: string, width = TERMINAL_WIDTH): string {
  return columns(label) + 1 + columns(path) <= width ? `${label} ${path}` : `${label.trimEnd()}\n  ${path}`;
}

/** Every line of a text that is not part of a table (a box-drawing line) wrapped as prose (see wrapProse). */
export const wrapProseLines = (text: string, width = TERMINAL_WIDTH): string =>
  text
    .split('\n')
    .map((l) => (/^[┌│├└]/.test(l) ? l : wrapProse(l, width)))
    .join('\n');
