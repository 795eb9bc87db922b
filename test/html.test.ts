// The HTML report in a real browser (Debian's chromium, driven by playwright-core):
// the chart and the table are there, sorting works, nothing leaves the page, and
// screenshots at desktop and phone sizes land in test-output/html/ for a human to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeBuffer } from '../src/analyze.js';
import { esc, renderHtml } from '../src/report/html.js';
import { ROOT, fixture, spylog } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const OUT = join(ROOT, 'test-output', 'html');

test('HTML is one self-contained file: no external URL, log text escaped', () => {
  const log = 'CoInitialize() returns 0x00000000\nMALLOC SPY: 0x10 - 8 bytes allocated\n<script>alert(1)</script>\n';
  const html = renderHtml([analyzeBuffer(log, { source: 'evil<log>.txt' })]);
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /evil&lt;log&gt;\.txt/);
  assert.doesNotMatch(html, /(?:src|href)=["']?(?:https?:)?\/\//i, 'no network resource');
  assert.equal(esc('a\u0000b&'), 'a\uFFFDb&amp;');
});

test('spylog report --html writes the file next to the normal report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spylog-html-'));
  try {
    const out = join(dir, 'r.html');
    const r = spylog(['report', 'fixtures/w2k-console.log', '--html', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^spylog report:/);
    assert.match(readFileSync(out, 'utf8'), /^<!doctype html>/);
    // Missing folders are created, as `check -o` does (CI writes into fresh folders).
    const nested = join(dir, 'no', 'such', 'dir.html');
    const made = spylog(['report', 'fixtures/w2k-console.log', '--html', nested]);
    assert.equal(made.status, 0, made.stderr);
    assert.match(readFileSync(nested, 'utf8'), /^<!doctype html>/);
    // A path through a file: one line naming the file and why, before any report is printed.
    const bad = spylog(['report', 'fixtures/w2k-console.log', '--html', join(out, 'sub', 'r.html')]);
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
    assert.equal(bad.stderr, `spylog: cannot write ${join(out, 'sub', 'r.html')}: a part of the path is a file, not a folder (ENOTDIR)\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('browser: chart, sortable table, no request leaves the page, screenshots', async (t) => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) assert.fail(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
    t.skip(`${CHROMIUM} not installed (apt-get install chromium)`);
    return;
  }
  const { chromium } = await import('playwright-core');
  mkdirSync(OUT, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'spylog-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${profile}`,
    ].filter((a) => !a.startsWith('--user-data-dir')),
  });
  try {
    for (const name of ['copyproxy-released', 'w2k-console']) {
      const file = join(OUT, `${name}.html`);
      writeFileSync(file, renderHtml([analyzeBuffer(readFileSync(fixture(`${name}.log`)), { source: `fixtures/${name}.log` })]));
      const url = pathToFileURL(file).href;
      for (const [label, viewport] of [
        ['desktop', { width: 1280, height: 800 }],
        ['phone', { width: 390, height: 844 }],
      ] as const) {
        const page = await browser.newPage({ viewport });
        const requests: string[] = [];
        page.on('request', (req) => requests.push(req.url()));
        await page.goto(url);
        assert.deepEqual(requests, [url], 'the page loads nothing but itself');
        assert.equal(await page.locator('svg path.area').count(), 1, 'chart drawn');
        assert.ok((await page.locator('table.blocks tbody tr').count()) > 0, 'blocks table filled');
        // Runs in the page (no DOM types here): the page must not scroll sideways.
        const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
        assert.ok(Number(overflow) <= 0, `${label}: no horizontal page scroll (${String(overflow)}px)`);
        await page.screenshot({ path: join(OUT, `${name}-${label}.png`), fullPage: true });
        await page.close();
      }
    }
    // Sorting: click "size" once (ascending), then again (descending).
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(pathToFileURL(join(OUT, 'w2k-console.html')).href);
    const sizes = () => page.locator('table.blocks tbody tr td:nth-child(3)').allTextContents();
    await page.locator('table.blocks th', { hasText: 'size' }).click();
    const asc = (await sizes()).map(Number);
    assert.deepEqual(
      asc,
      [...asc].sort((a, b) => a - b),
    );
    await page.locator('table.blocks th', { hasText: 'size' }).click();
    const desc = (await sizes()).map(Number);
    assert.deepEqual(
      desc,
      [...asc].sort((a, b) => b - a),
    );
    assert.equal(await page.locator('.episode').count(), 0);
    await page.goto(pathToFileURL(join(OUT, 'copyproxy-released.html')).href);
    assert.equal(await page.locator('rect.episode').count(), 1, 'the deferred-release episode is highlighted');
    await page.close();
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
