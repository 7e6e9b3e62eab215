import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadFixture } from '../../test-support/report-fixtures.js';
import { throughputChart } from './chart-specs.js';
import { renderSvg, scopeSvgIds } from './svg.js';

describe('SVG rendering', () => {
  it('prefixes and renumbers element ids and every reference to them', () => {
    const svg = '<svg><clipPath id="clip7"><rect/></clipPath><g clip-path="url(#clip7)"/><use href="#clip7"/><g id="gradient_3" fill="url(#gradient_3)"/></svg>';
    assert.equal(
      scopeSvgIds(svg, 'latency'),
      '<svg><clipPath id="latency-1"><rect/></clipPath><g clip-path="url(#latency-1)"/><use href="#latency-1"/><g id="latency-2" fill="url(#latency-2)"/></svg>',
    );
  });

  it('renders a chart to an SVG document with the bars of its data', async () => {
    const chart = throughputChart(loadFixture('sample-run'));
    assert.ok(chart);
    const { svg, name } = await renderSvg(chart);
    assert.equal(name, 'throughput');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok((svg.match(/role-mark/g) ?? []).length > 0);
    assert.match(svg, /validate/);
  });

  it('renders the same chart to the same bytes every time', async () => {
    const chart = throughputChart(loadFixture('sample-run'));
    assert.ok(chart);
    const a = await renderSvg(chart);
    const b = await renderSvg(chart);
    assert.equal(a.svg, b.svg);
  });
});
