import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columns, fitFirst, fitTable, fitsWhole, Footnotes, labelledPath, sup, TERMINAL_WIDTH, widestLine, wrapProse, wrapProseLines, wrapWords } from './fit.js';
import { tableRows } from '../../test-support/report-fixtures.js';

describe('prose within 120 columns', () => {
  it('counts code points, so a box-drawing character or a × is one column', () => {
    assert.equal(columns('│ × – µ ¹'), 9);
    assert.equal(widestLine('ab\nabcd\n'), 4);
  });

  it('breaks at spaces, and cuts only a word longer than the line', () => {
    assert.deepEqual(wrapWords('one two three four', 9), ['one two', 'three', 'four']);
    assert.deepEqual(wrapWords('abcdefghij klm', 4), ['abcd', 'efgh', 'ij', 'klm']);
    assert.deepEqual(wrapWords('a\nb c', 10), ['a', 'b c'], 'a line break stays');
    assert.deepEqual(wrapWords('x'.repeat(10), 4, 6), ['xxxxxx', 'xxxx'], 'the first line may be wider');
  });

  it('indents the later lines of a line under its label, or by two', () => {
    const method = wrapProse(`method: ${'word '.repeat(40).trim()}`, 40);
    for (const l of method.split('\n')) assert.ok(columns(l) <= 40, l);
    assert.ok(method.split('\n').slice(1).every((l) => l.startsWith('        word')), method);
    const plain = wrapProse(`cost per request (${'word '.repeat(40).trim()})`, 40);
    assert.ok(plain.split('\n').slice(1).every((l) => /^ {2}\S/.test(l)), plain);
    assert.equal(wrapProse('short', 40), 'short');
  });

  it('keeps a word cut across lines whole when read back, and never adds a space inside it', () => {
    const path = `/a/very/long/path/${'segment/'.repeat(30)}file.log`;
    const text = wrapProse(`¹ ERRORED: ${path} was not found`, 50, 2);
    for (const l of text.split('\n')) assert.ok(columns(l) <= 50, l);
    assert.ok(text.replace(/\n {2}/g, '').includes(path), text);
  });

  it('wraps the prose of a text and leaves its tables alone', () => {
    const table = fitTable({ head: ['a', 'b'], rows: [['1', '2']] });
    const text = wrapProseLines(`${'word '.repeat(40)}\n${table}`, 40);
    assert.ok(text.endsWith(table));
    assert.ok(text.split('\n').every((l) => columns(l) <= 40));
  });

  it('puts a path on the next line rather than past the edge, whole', () => {
    assert.equal(labelledPath('results:', 'results/x/result.json'), 'results: results/x/result.json');
    const long = `/${'d'.repeat(150)}/result.json`;
    assert.equal(labelledPath('report: ', long), `report:\n  ${long}`);
  });
});

describe('footnotes', () => {
  it('numbers notes in superscript in the order first marked, one number per text', () => {
    const notes = new Footnotes();
    assert.equal(notes.marks([]), '');
    assert.equal(notes.marks(['cannot revoke']), ' ¹');
    assert.equal(notes.marks(['INVALID: generator lag', 'cannot revoke']), ' ²,¹');
    assert.equal(notes.marks(['cannot revoke']), ' ¹', 'the same text keeps its number');
    assert.deepEqual(notes.lines(), ['¹ cannot revoke', '² INVALID: generator lag']);
    assert.equal(sup(12), '¹²');
  });

  it('wraps a long note under its text', () => {
    const notes = new Footnotes();
    notes.number(`ERRORED: ${'word '.repeat(60)}`);
    const [line = ''] = notes.lines(60);
    assert.ok(line.split('\n').every((l) => columns(l) <= 60));
    assert.ok(line.split('\n').slice(1).every((l) => /^ {2}\S/.test(l)), line);
  });
});

describe('a table within 120 columns', () => {
  const wide = { head: ['design', 'a long column title', 'list'], rows: [['jwt', '1', 'DEL 0.14, GET 0.72, SETEX 0.14, EVALSHA 0.15, EXPIRE 0.14, HSET 0.15, PUBLISH 0.14'], ['x'.repeat(110), '2', 'GET 1.00']], wrap: [0], lists: [2] };

  it('is drawn as cli-table3 draws it when it fits', () => {
    const t = fitTable({ head: ['a', 'b'], rows: [['1', '2']] });
    assert.equal(t, ['┌───┬───┐', '│ a │ b │', '├───┼───┤', '│ 1 │ 2 │', '└───┴───┘'].join('\n'));
  });

  it('wraps its titles, its lists and its names, and cuts a name longer than a line, to fit', () => {
    const t = fitTable(wide);
    assert.ok(widestLine(t) <= TERMINAL_WIDTH, t);
    const rows = tableRows(t)[0] ?? [];
    assert.deepEqual(rows[0], wide.head, 'the titles read back whole');
    assert.equal((rows[2]?.[0] ?? '').replace(/\s/g, ''), 'x'.repeat(110), 'the name, cut, all there');
    assert.equal(rows[1]?.[2], wide.rows[0]?.[2], 'the list whole');
  });

  it('fits whatever its cells hold, down to a narrow terminal', () => {
    for (const width of [120, 80, 40]) assert.ok(widestLine(fitTable(wide, width)) <= width, String(width));
  });

  it('takes the first layout that fits with its cells whole, else the last one fitted', () => {
    const narrow = { head: ['design', 'n'], rows: [['jwt', '1']] };
    assert.equal(fitsWhole(wide), false);
    assert.equal(fitsWhole(narrow), true);
    assert.equal(fitFirst([wide, narrow]).index, 1);
    assert.equal(fitFirst([wide, wide]).index, 1);
    assert.ok(widestLine(fitFirst([wide, wide]).table) <= TERMINAL_WIDTH);
  });
});
