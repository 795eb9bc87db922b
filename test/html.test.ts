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
  // Controls and invisible characters shown as the text report shows them; markup escaped after.
  assert.equal(esc('a\u0000b&'), 'a\\x00b&amp;');
  assert.equal(esc('C1\u0085 bidi\u202E <x> \uFFFE'), 'C1\\x85 bidi&lt;U+202E&gt; &lt;x&gt; \uFFFD');
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
    assert.equal(bad.stderr, `spylog: cannot write ${join(out, 'sub', 'r.html')}: a part of the path is a file, not a folder\n`);
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
    for (const name of [
      'copyproxy-released',
      'w2k-console',
      'w2k-redirected',
      'capture/two-runs',
      'capture/debugview-pids',
      'w2k-addr64',
      'article-win2000',
      'real/wine2/bstr300-redirected',
      'gtest-three-tests',
    ]) {
      const file = join(OUT, `${name.replaceAll('/', '__')}.html`);
      writeFileSync(file, renderHtml([analyzeBuffer(readFileSync(fixture(`${name}.log`)), { source: `fixtures/${name}.log` })]));
      const url = pathToFileURL(file).href;
      for (const [label, viewport] of [
        ['desktop', { width: 1280, height: 800 }],
        ['phone', { width: 390, height: 844 }],
      ] as const) {
        const page = await browser.newPage({ viewport });
        const requests: string[] = [];
        page.on('request', (req) => requests.push(req.url()));
        // A policy that blocked the page's own style or script would say so here.
        const errors: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        await page.goto(url);
        assert.deepEqual(requests, [url], 'the page loads nothing but itself');
        assert.deepEqual(errors, [], 'no console errors (a Content-Security-Policy violation is one)');
        const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
        assert.doesNotMatch(policy ?? '', /unsafe-inline/, 'the policy names the script and style by hash');
        assert.equal(await page.evaluate("getComputedStyle(document.querySelector('table.blocks')).borderCollapse"), 'collapse', 'the style applies');
        assert.equal(await page.locator('svg path.area').count(), 1, 'chart drawn');
        assert.ok((await page.locator('table.blocks tbody tr').count()) > 0, 'blocks table filled');
        // Runs in the page (no DOM types here): the page must not scroll sideways.
        const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
        assert.ok(Number(overflow) <= 0, `${label}: no horizontal page scroll (${String(overflow)}px)`);
        // On a desktop the blocks table fits its box: no column is cut off (hex wraps in groups of 8 bytes).
        if (label === 'desktop') {
          const cut = await page.evaluate(
            "(() => { const t = document.querySelector('table.blocks'); return t ? t.scrollWidth - t.parentElement.clientWidth : 0 })()",
          );
          assert.ok(Number(cut) <= 0, `${name}: the blocks table is ${String(cut)}px wider than its box`);
        }
        // The y-axis label is inside the chart at every size.
        const left = await page.evaluate("Math.min(...[...document.querySelectorAll('svg text.tick')].map((t) => t.getBBox().x))");
        assert.ok(Number(left) >= 0, `${name} ${label}: an axis label starts at x=${String(left)}`);
        assert.doesNotMatch(await page.locator('body').innerText(), /`/, 'no Markdown backticks shown');
        await page.screenshot({ path: join(OUT, `${name.replaceAll('/', '__')}-${label}.png`), fullPage: true });
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
    // What the text report has for captures of several runs or processes, and the data hints.
    await page.goto(pathToFileURL(join(OUT, 'capture__two-runs.html')).href);
    assert.deepEqual(await page.locator('table.parts tbody tr td:first-child').allTextContents(), ['run 1', 'run 2']);
    assert.equal(await page.locator('table.blocks th', { hasText: 'part' }).count(), 1);
    await page.goto(pathToFileURL(join(OUT, 'capture__debugview-pids.html')).href);
    assert.deepEqual(await page.locator('table.parts tbody tr td:first-child').allTextContents(), ['pid 1111', 'pid 2222', 'pid 888']);
    await page.goto(pathToFileURL(join(OUT, 'w2k-console.html')).href);
    const hints = await page.locator('table.blocks .datahint').allTextContents();
    assert.ok(
      hints.includes('object? vtable 0x775AB198') && hints.includes('text "LEAK#1"') && hints.some((h) => h.startsWith('UTF-16 ')),
      hints.join(' | '),
    );
    await page.goto(pathToFileURL(join(OUT, 'w2k-redirected.html')).href);
    assert.equal(await page.locator('.hint code', { hasText: 'spylog check --baseline' }).count(), 1);
    // The leak-hunting aids: ordinals in the # column, known holders in the data column and a section of their own.
    const ordinalColumn = (await page.locator('table.blocks thead th').allTextContents()).indexOf('#') + 1;
    assert.ok(ordinalColumn > 0, 'a # column');
    assert.equal((await page.locator(`table.blocks tbody tr:first-child td:nth-child(${ordinalColumn})`).textContent())?.trim(), '1');
    await page.goto(pathToFileURL(join(OUT, 'article-win2000.html')).href);
    assert.deepEqual(await page.locator('table.blocks .holderhint').allTextContents(), [
      'known holder: clbcatq.dll (the COM+ catalog), loaded by CLSIDFromProgID',
    ]);
    assert.match(
      (await page.locator('ul.holders li').allTextContents()).join(' '),
      /1 unresolved block \(44 bytes\)\. Looks like the 44-byte block .* Source: https:\/\/www\.ikriv\.com/,
    );
    await page.goto(pathToFileURL(join(OUT, 'real__wine2__bstr300-redirected.html')).href);
    assert.equal(await page.locator('table.blocks .holderhint', { hasText: "OLEAUT32's BSTR cache" }).count(), 43);
    assert.match(
      (await page.locator('ul.holders li').allTextContents()).join(' '),
      /Leaked BSTR or kept by the BSTR cache: rerun with OANOCACHE=1 to tell/,
    );
    // Per-test attribution: a table of the tests, the leaking one marked, and the test of every block.
    await page.goto(pathToFileURL(join(OUT, 'gtest-three-tests.html')).href);
    assert.deepEqual(await page.locator('table.tests tbody tr td.testname').allTextContents(), [
      'ReportTest.BuildsTitle',
      'ReportTest.FreesWhatItAllocates',
      'FieldCacheTest.CachesFieldNames',
    ]);
    assert.deepEqual(await page.locator('table.tests tbody tr.leak td.testname').allTextContents(), ['ReportTest.BuildsTitle']);
    assert.deepEqual(
      (await page.locator('table.tests tbody tr td:nth-child(8)').allTextContents()).map((t) => t.trim()),
      ['', '', '1 (48 B)'],
      'freed later',
    );
    assert.deepEqual([...new Set(await page.locator('table.blocks td.test').allTextContents())], ['ReportTest.BuildsTitle']);
    // Sorting the tests by what they leaked, twice (descending), puts the leaking one first.
    await page.locator('table.tests th', { hasText: 'leaked' }).click();
    await page.locator('table.tests th', { hasText: 'leaked' }).click();
    assert.equal(await page.locator('table.tests tbody tr:first-child td.testname').textContent(), 'ReportTest.BuildsTitle');
    await page.close();
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
