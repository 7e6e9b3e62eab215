import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { loadFixture } from '../../test-support/report-fixtures.js';
import { buildReport, writeReport, type Report } from './report.js';

/** Debian's chromium package; never a browser downloaded by playwright. .ci/run installs it when missing. */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Standard deviation of the luminance of a PNG's pixels (0 for a blank image). */
function luminanceStdDev(png: Buffer): number {
  const { data, width, height } = PNG.sync.read(png);
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < data.length; i += 4) {
    const y = 0.2126 * (data[i] ?? 0) + 0.7152 * (data[i + 1] ?? 0) + 0.0722 * (data[i + 2] ?? 0);
    sum += y;
    sumSq += y * y;
  }
  const n = width * height;
  return Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2));
}

describe('report.html in headless Chromium, offline', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)` }, () => {
  let dir: string;
  let context: BrowserContext | undefined;
  let page: Page;
  let report: Report;
  let pageUrl: string;
  const requested: string[] = [];
  const consoleErrors: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'authbench-browser-'));
    // Every kind of chart: throughput, latency, cost, outage timelines, and the runs side by side.
    report = await buildReport([loadFixture('alg-rs256'), loadFixture('outage-run'), loadFixture('sample-run')]);
    await writeReport(report, join(dir, 'report'));
    pageUrl = pathToFileURL(join(dir, 'report', 'report.html')).href;
    context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 1000 } });
    await context.route('**', async (route) => {
      const url = route.request().url();
      requested.push(url);
      await (url === pageUrl ? route.continue() : route.abort());
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
    await page.goto(pageUrl, { waitUntil: 'load' });
  });

  after(async () => {
    await context?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('requests nothing but the page itself', () => {
    assert.deepEqual(requested, [pageUrl]);
  });

  it('logs no console error', () => {
    assert.deepEqual(consoleErrors, []);
  });

  it('renders every chart with a box that is not empty', async () => {
    // A string, not a function: the project compiles without the DOM types.
    const visible = await page.evaluate<number>(
      "[...document.querySelectorAll('figure.chart > svg')].filter((svg) => { const r = svg.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).length",
    );
    assert.ok(report.charts.length >= 10, `${report.charts.length} charts`);
    assert.equal(visible, report.charts.length);
  });

  it('draws marks in every chart', async () => {
    const marks = await page.evaluate<number[]>("[...document.querySelectorAll('figure.chart > svg')].map((svg) => svg.querySelectorAll('.role-mark path, .role-mark line, .role-mark rect').length)");
    assert.ok(marks.every((n) => n > 0), `marks per chart: ${marks.join(', ')}`);
  });

  it('shows a page that is not blank', async () => {
    const shot = await page.screenshot({ fullPage: false });
    assert.ok(luminanceStdDev(shot) > 20, `luminance standard deviation ${luminanceStdDev(shot)}`);
  });

  it('shows a chart that is not blank', async () => {
    const shot = await page.locator('figure.chart').first().screenshot();
    assert.ok(luminanceStdDev(shot) > 20, `luminance standard deviation ${luminanceStdDev(shot)}`);
  });
});
