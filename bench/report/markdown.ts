import type { Block } from './document.js';

/** Backslash-escapes the characters Markdown would read as formatting (GitHub flavour). */
export function mdText(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(mdText).join(' | ')} |`;
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** report.md: the document typeset in Markdown, each chart an SVG file beside it (`<name>.svg`). Pure. */
export function renderMarkdown(blocks: readonly Block[]): string {
  const parts = blocks.map((b): string => {
    switch (b.kind) {
      case 'heading':
        return `${'#'.repeat(b.level)} ${mdText(b.text)}`;
      case 'paragraph':
        return mdText(b.text);
      case 'list':
        return b.items.map((i) => `- ${mdText(i)}`).join('\n');
      case 'table':
        return `**${mdText(b.caption)}**\n\n${table(b.head, b.rows)}`;
      case 'chart':
        return `**${mdText(b.chart.title)}**\n\n![${mdText(b.chart.title)}](${b.chart.name}.svg)\n\n${mdText(b.chart.caption)}`;
    }
  });
  return `${parts.join('\n\n')}\n`;
}
