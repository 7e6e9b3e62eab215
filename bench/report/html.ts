import type { Block } from './document.js';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Nothing may be fetched: no script, no font, no image; styles only from the page itself. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'";

const CSS = `
body { margin: 0; background: #fafafa; color: #222; font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; background: #fff; }
h1 { font-size: 22px; margin: 8px 0 12px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 22px 0 6px; }
ul { padding-left: 20px; }
.table { overflow-x: auto; margin: 10px 0 16px; }
table { border-collapse: collapse; font-size: 12.5px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
tbody tr:nth-child(even) { background: #fbfbfb; }
figure.chart { margin: 12px 0 20px; overflow-x: auto; }
figure.chart figcaption { margin-bottom: 6px; color: #444; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
`;

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level}>${escapeHtml(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p>${escapeHtml(b.text)}</p>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
    case 'table': {
      const head = `<thead><tr>${b.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`;
      const body = `<tbody>${b.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n')}</tbody>`;
      return `<div class="table"><table><caption>${escapeHtml(b.caption)}</caption>${head}${body}</table></div>`;
    }
    case 'chart':
      return `<figure class="chart" id="chart-${escapeHtml(b.chart.name)}"><figcaption><strong>${escapeHtml(b.chart.title)}.</strong> ${escapeHtml(b.chart.caption)}</figcaption>${b.chart.svg}</figure>`;
  }
}

/** report.html: one self-contained page (inline CSS, inline SVG charts, no script, nothing fetched). Pure. */
export function renderHtml(blocks: readonly Block[]): string {
  const first = blocks.find((b) => b.kind === 'heading');
  const title = first?.kind === 'heading' ? first.text : 'authbench report';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body><main>',
    ...blocks.map(block),
    '</main></body>',
    '</html>',
    '',
  ].join('\n');
}
