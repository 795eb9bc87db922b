// A self-contained HTML report: one file, no network, opens from disk. The chart is
// inline SVG drawn from the bounded timeline; the only script sorts the block table.
import { createHash } from 'node:crypto';
import { count, num as fmt, testLabel } from '../text/words.js';
import { displayText } from '../text/display.js';
import { CATEGORIES, CATEGORY_MEANING, type Category, type Tally } from '../model/block.js';
import type { Report, ReportBlock, Timeline } from '../model/report.js';
import { headline, summaryHeadline, unseenSentence } from './text.js';
import { PARTS_SHOWN, hintText, holderGroups, partOf, partRows } from './parts.js';
import { PLAIN } from './style.js';

const W = 1000;
const H = 260;
const PAD = { left: 84, right: 16, top: 16, bottom: 36 };

export function renderHtml(reports: Report[]): string {
  const title = reports.length === 1 ? `spylog: ${reports[0]!.source}` : `spylog: ${reports.length} logs`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${reports.map(section).join('\n')}
<footer>spylog report (schema ${esc(reports[0]?.schema ?? '')}) &middot; self-contained: no network requests</footer>
<script>${SORT_SCRIPT}</script>
</body>
</html>
`;
}

function section(r: Report, index: number): string {
  const s = r.summary;
  const verdictClass = s['true-leak'].blocks ? 'leak' : s.unresolved.blocks ? 'undecided' : 'ok';
  const [verdict, ...hint] = headline(r, PLAIN).split('\n');
  return `<main>
<header>
<h1>${esc(r.source)}</h1>
<p class="verdict ${verdictClass}">${esc(verdict ?? '')}</p>
${hint.map((h) => `<p class="hint">${code(esc(h.trim()))}</p>`).join('')}
</header>
<section>
<h2>Completeness: <span class="trunc ${r.truncation}">${esc(r.truncation)}</span></h2>
<ul class="evidence">${r.evidence.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>
<p class="facts">${fmt(r.lines)} lines &middot; ${fmt(r.allocs)} allocations &middot; ${fmt(r.frees)} frees &middot; peak ${count(r.peak.blocks, 'block')} / ${fmt(r.peak.bytes)} bytes at line ${r.peak.line}</p>
</section>
<section>
<h2>Live bytes over the log</h2>
${chart(r, index)}
</section>
<section>
<h2>Categories</h2>
<div class="scroll"><table class="categories">
<thead><tr><th>category</th><th class="num">blocks</th><th class="num">bytes</th><th class="meaning">meaning</th></tr></thead>
<tbody>${CATEGORIES.map((c) => `<tr class="cat-${c}"><td><span class="dot"></span>${c}</td><td class="num">${fmt(s[c].blocks)}</td><td class="num">${fmt(s[c].bytes)}</td><td class="meaning">${esc(CATEGORY_MEANING[c])}</td></tr>`).join('')}</tbody>
</table></div>
${unseenSentence(r) === null ? '' : `<p class="hint">${esc(unseenSentence(r)!)}</p>`}
</section>
${partsTable(r)}
${findings(r)}
${testsTable(r)}
${holders(r)}
${blocksTable(r)}
${anomalies(r)}
</main>`;
}

function chart(r: Report, index: number): string {
  const t: Timeline = r.timeline;
  if (t.points.length === 0 || r.peak.bytes === 0) return '<p class="empty">No spied memory was alive at any point.</p>';
  const lines = Math.max(r.lines, 1);
  const max = Math.max(r.peak.bytes, ...t.points.map((p) => p.maxBytes));
  const x = (line: number) => PAD.left + ((line - 1) / Math.max(lines - 1, 1)) * (W - PAD.left - PAD.right);
  const y = (bytes: number) => H - PAD.bottom - (bytes / max) * (H - PAD.top - PAD.bottom);
  const bands = phaseBands(r).map(
    (b) =>
      `<rect class="band ${b.kind}" x="${n(x(b.from))}" y="${PAD.top}" width="${n(Math.max(1, x(b.to) - x(b.from)))}" height="${H - PAD.top - PAD.bottom}"><title>${esc(b.label)} (lines ${b.from}\u2013${b.to})</title></rect>` +
      (x(b.to) - x(b.from) > 140 ? `<text class="band-label" x="${n(x(b.from) + 4)}" y="${PAD.top + 12}">${esc(b.label)}</text>` : ''),
  );
  // A step curve: each bucket holds its maximum until the next bucket starts.
  let d = `M${n(x(1))},${n(y(0))}`;
  for (const p of t.points)
    d += ` L${n(x(p.fromLine))},${n(y(p.maxBytes))} L${n(x(p.toLine))},${n(y(p.maxBytes))} L${n(x(p.toLine))},${n(y(p.bytes))}`;
  const last = t.points[t.points.length - 1]!;
  d += ` L${n(x(lines))},${n(y(last.bytes))} L${n(x(lines))},${n(y(0))} Z`;
  const episodes = r.findings
    .filter((f) => f.kind === 'deferred-release')
    .map((f) => {
      const from = Number(f.firstLine);
      const to = Number(f.releaseEndLine);
      return `<rect class="episode" x="${n(x(from))}" y="${PAD.top}" width="${n(Math.max(2, x(to) - x(from)))}" height="${H - PAD.top - PAD.bottom}"><title>${esc(String(f.message))}</title></rect><text class="episode-label" x="${n(x(from) + 4)}" y="${H - PAD.bottom - 6}">deferred release</text>`;
    });
  const marks = t.marks
    .filter((m) => m.kind === 'dump' || m.kind === 'couninitialize')
    .map(
      (m) =>
        `<line class="mark ${m.kind}" x1="${n(x(m.line))}" x2="${n(x(m.line))}" y1="${PAD.top}" y2="${H - PAD.bottom}"><title>${m.kind} (line ${m.line})</title></line>`,
    );
  const peak = `<circle class="peak" cx="${n(x(r.peak.line))}" cy="${n(y(r.peak.bytes))}" r="5"><title>peak: ${fmt(r.peak.blocks)} blocks, ${fmt(r.peak.bytes)} bytes at line ${r.peak.line}</title></circle><text class="peak-label" x="${n(Math.min(x(r.peak.line) + 8, W - 150))}" y="${n(Math.max(y(r.peak.bytes) + 4, PAD.top + 40))}">peak ${fmt(r.peak.bytes)} B</text>`;
  const axis =
    `<line class="axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}"/>` +
    `<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}"/>` +
    `<text class="tick" x="${PAD.left - 6}" y="${n(y(max) + 4)}" text-anchor="end"><title>${fmt(max)} bytes</title>${shortBytes(max)}</text>` +
    `<text class="tick" x="${PAD.left - 6}" y="${n(y(0) + 4)}" text-anchor="end">0</text>` +
    `<text class="tick" x="${PAD.left}" y="${H - 12}">line 1</text>` +
    `<text class="tick" x="${W - PAD.right}" y="${H - 12}" text-anchor="end">line ${lines}</text>` +
    `<text class="tick" x="${n((W + PAD.left) / 2)}" y="${H - 12}" text-anchor="middle">live bytes by log line</text>`;
  const legend = [
    ...phaseBands(r).map((b) => `<span><i class="sw band ${b.kind}"></i>${esc(b.label)} (lines ${b.from}–${b.to})</span>`),
    ...t.marks
      .filter((m) => m.kind === 'couninitialize' || m.kind === 'dump')
      .map((m) => `<span><i class="sw mark"></i>${m.kind === 'dump' ? 'dump' : 'CoUninitialize'} (line ${m.line})</span>`),
    `<span><i class="sw peak"></i>peak ${fmt(r.peak.bytes)} bytes (line ${r.peak.line})</span>`,
    ...(episodes.length ? [`<span><i class="sw episode"></i>deferred release</span>`] : []),
  ];
  return `<figure class="chart"><svg id="chart-${index}" viewBox="0 0 ${W} ${H}" role="img" aria-label="Live bytes over the log">
${bands.join('')}${episodes.join('')}<path class="area" d="${d}"/>${marks.join('')}${peak}${axis}
</svg><figcaption class="legend">${legend.join('')}</figcaption></figure>`;
}

interface Band {
  kind: string;
  label: string;
  from: number;
  to: number;
}

function phaseBands(r: Report): Band[] {
  const p = r.phases;
  const end = Math.max(r.lines, 1);
  const bands: Band[] = [];
  const start = p.spyRegistered ?? 1;
  const coUn = p.coUninitialize;
  const exitMark = r.timeline.marks.find((m) => m.kind === 'exit');
  bands.push({ kind: 'running', label: 'running', from: start, to: coUn ?? p.lastProgramLine ?? end });
  if (coUn !== null) bands.push({ kind: 'after', label: 'after CoUninitialize', from: coUn, to: exitMark ? exitMark.line : end });
  if (exitMark) bands.push({ kind: 'exit', label: 'ExitProcess', from: exitMark.line, to: end });
  return bands.filter((b) => b.to >= b.from);
}

function findings(r: Report): string {
  if (r.findings.length === 0) return '';
  return `<section><h2>Findings</h2><ul class="findings">${r.findings
    .map((f) => `<li class="${esc(f.kind)}"><strong>${esc(f.kind)}</strong>: ${esc(String(f.message ?? JSON.stringify(f)))}</li>`)
    .join('')}</ul></section>`;
}

function blocksTable(r: Report): string {
  if (r.blocks.length === 0)
    return '<section><h2>Blocks not freed by the program</h2><p class="empty">None: every block was freed while the program ran.</p></section>';
  const byPart = r.blocks.some((b) => partOf(b) !== '');
  const byTest = r.tests !== undefined;
  const shown = shownBlocks(r.blocks);
  const more = r.blocks.length - shown.length;
  const rows = shown
    .map(
      (b) =>
        `<tr class="cat-${b.category}">${byPart ? `<td class="part">${esc(partOf(b))}</td>` : ''}<td>${esc(b.category)}</td><td>${esc(b.context)}</td>${byTest ? `<td class="test">${breakable(b.test === undefined || b.test === null ? '' : testLabel(b.test, b.testIteration))}</td>` : ''}<td class="num">${b.size}</td><td class="mono">${esc(b.address)}</td><td class="num">${b.allocLine ?? ''}</td><td class="num">${b.ordinal ?? ''}</td><td class="num">${b.freeLine ?? ''}</td><td>${esc(b.decidedBy)}</td><td class="data">${dataCell(b)}</td></tr>`,
    )
    .join('\n');
  return `<section><h2>Blocks not freed by the program (${fmt(r.blocks.length)})</h2>
<p class="hint">Click a column heading to sort. Data: the first dump bytes; what they look like (an object's vtable pointer, UTF-16 or ASCII text) above them.</p>
<div class="scroll"><table class="blocks sortable">
<thead><tr>${byPart ? '<th>part</th>' : ''}<th>category</th><th>context</th>${byTest ? '<th>test</th>' : ''}<th class="num">size</th><th>address</th><th class="num">alloc line</th><th class="num" title="the Nth allocation of the run: what a spy counting its PreAlloc calls breaks on">#</th><th class="num">free line</th><th>decided by</th><th>data</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>${
    more > 0
      ? `<p class="hint">The first ${fmt(shown.length)} are shown, true leaks first, then unresolved blocks, then what the runtime held; ${fmt(more)} more are not (<code>spylog report --format json</code> or <code>--format csv</code> lists every block).</p>`
      : ''
  }</section>`;
}

/** Rows of the blocks table: enough to look through, not so many that a browser cannot open the page (a report may list a million blocks). */
export const BLOCKS_SHOWN = 2000;
const SHOWN_FIRST: Category[] = ['true-leak', 'unresolved', 'exitprocess', 'couninitialize', 'freed'];

/** At most BLOCKS_SHOWN blocks, the program's own first, each category in report order. */
function shownBlocks(blocks: ReportBlock[]): ReportBlock[] {
  if (blocks.length <= BLOCKS_SHOWN) return blocks;
  const out: ReportBlock[] = [];
  for (const category of SHOWN_FIRST) {
    for (const b of blocks) {
      if (b.category !== category) continue;
      out.push(b);
      if (out.length === BLOCKS_SHOWN) return out;
    }
  }
  return out;
}

/** One row per test the program's runner printed: what the blocks it allocated became (the text report shows the largest; this, all). */
function testsTable(r: Report): string {
  const tests = r.tests ?? [];
  if (tests.length === 0) return '';
  const byPart = tests.some((t) => partOf(t) !== '');
  // Sorted by bytes (data-sort), shown with the blocks.
  const cell = (t: Tally) => `<td class="num" data-sort="${t.bytes}">${t.blocks === 0 ? '' : `${fmt(t.blocks)} (${fmt(t.bytes)} B)`}</td>`;
  const rows = tests
    .map((t) => {
      const s = t.summary;
      const held = { blocks: s.exitprocess.blocks + s.couninitialize.blocks, bytes: s.exitprocess.bytes + s.couninitialize.bytes };
      const cls = s['true-leak'].blocks ? 'leak' : s.unresolved.blocks ? 'undecided' : 'ok';
      return `<tr class="${cls}">${byPart ? `<td class="part">${esc(partOf(t))}</td>` : ''}<td class="testname">${breakable(testLabel(t.name, t.iteration))}</td><td>${esc(t.outcome)}</td><td class="num">${t.startLine ?? ''}</td><td class="num" data-sort="${t.allocs}">${fmt(t.allocs)}</td>${cell(s['true-leak'])}${cell(s.unresolved)}${cell(held)}${cell(t.freedAfterTest)}</tr>`;
    })
    .join('\n');
  return `<section><h2>Tests (${fmt(tests.length)})</h2>
<p class="hint">As the program's runner printed them. Each block counts for the test that ran when it was allocated: leaked, left unresolved by a truncated log, held by the COM runtime (until CoUninitialize or ExitProcess), or freed by the program only after the test ended (a cache?). Click a column heading to sort.</p>
<div class="scroll"><table class="tests sortable">
<thead><tr>${byPart ? '<th>part</th>' : ''}<th>test</th><th>result</th><th class="num">line</th><th class="num">allocations</th><th class="num">leaked</th><th class="num">unresolved</th><th class="num">held</th><th class="num">freed later</th></tr></thead>
<tbody>
${rows}
</tbody></table></div></section>`;
}

/** Never-freed blocks a known runtime holder may be keeping, by holder and category, with what to do and the source. */
function holders(r: Report): string {
  const groups = holderGroups(r);
  if (groups.length === 0) return '';
  const items = groups.map(({ part, blocks: list }) => {
    const b = list[0]!;
    const bytes = list.reduce((s, x) => s + x.size, 0);
    return `<li class="cat-${b.category}"><strong>${esc(part ? `${part}: ` : '')}${esc(b.hint!.holder)}</strong>: ${count(list.length, `${b.category} block`)} (${fmt(bytes)} bytes${b.decidedBy === 'known-holder' ? ', decided by it' : ''}). ${esc(b.hint!.message.charAt(0).toUpperCase() + b.hint!.message.slice(1))}. <span class="source">Source: ${esc(b.hint!.source)}</span></li>`;
  });
  return `<section><h2>Known runtime holders</h2><p class="hint">A hint decides nothing unless <code>--trust-known-holders</code> is given.</p><ul class="holders">${items.join('')}</ul></section>`;
}

/** The data hint, then the hex in groups of 8 bytes that wrap as wholes (a 1280-pixel window fits two per line). */
function dataCell(b: ReportBlock): string {
  const holder = b.hint ? `<span class="holderhint" title="${esc(b.hint.message)}">known holder: ${esc(b.hint.holder)}</span>` : '';
  const hint = hintText(b.dataHint);
  const bytes = (b.data ?? '').split(' ').filter(Boolean);
  const groups: string[] = [];
  for (let i = 0; i < bytes.length; i += 8) groups.push(`<span class="group">${esc(bytes.slice(i, i + 8).join(' '))}</span>`);
  return (
    holder + (hint ? `<span class="datahint">${esc(hint)}</span>` : '') + (groups.length ? `<span class="mono hex">${groups.join(' ')}</span>` : '')
  );
}

/** One row per process or run of a multi-part capture, each with its own verdict (as the text report has). */
function partsTable(r: Report): string {
  const parts = partRows(r);
  if (parts.length === 0) return '';
  const title = r.processes ? 'Processes (one analysis per pid)' : 'Runs (each judged on its own)';
  const rows = parts
    .slice(0, PARTS_SHOWN)
    .map((p) => {
      const judged = p.part.report ?? p.part.verdict!;
      const s = judged.summary;
      const cls = s['true-leak'].blocks ? 'leak' : s.unresolved.blocks ? 'undecided' : 'ok';
      const verdict = p.part.report ? headline(p.part.report, PLAIN, true) : summaryHeadline(s, PLAIN, p.part.verdict!.unseen);
      return `<tr><td>${esc(p.label)}</td><td class="num">${p.firstLine}\u2013${p.lastLine}</td><td><span class="trunc ${judged.truncation}">${esc(judged.truncation)}</span></td><td class="part-verdict ${cls}">${esc(verdict.split('\n')[0] ?? '')}</td></tr>`;
    })
    .join('\n');
  const more = parts.length - PARTS_SHOWN;
  return `<section><h2>${title}</h2>
<div class="scroll"><table class="parts">
<thead><tr><th>part</th><th class="num">lines</th><th>log</th><th>verdict</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>${more > 0 ? `<p class="hint">${fmt(more)} more parts not shown (the JSON report lists every part's verdict).</p>` : ''}</section>`;
}

/** A test's name that may wrap after its dots and slashes (`Suite.Name`, `Inst/Suite.Name/0`), escaped. */
function breakable(name: string): string {
  return esc(name).replace(/([./])/g, '$1<wbr>');
}

/** `spylog check --baseline` in a hint (written for a terminal) as code. */
function code(escaped: string): string {
  return escaped.replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** An axis label that fits the chart's left margin at any scale, also on a phone: 1,780 or 14 K or 178 K or 1.2 M. */
function shortBytes(b: number): string {
  if (b < 10_000) return fmt(b);
  if (b < 10_000_000) return `${fmt(Math.round(b / 1000))} K`;
  return `${(b / 1e6).toFixed(1)} M`;
}

function anomalies(r: Report): string {
  if (r.anomalies.length === 0) return '';
  return `<section><h2>Anomalies (${fmt(Object.values(r.anomalyCounts).reduce((a, b) => a + b, 0))})</h2>
<div class="scroll"><table class="anomalies"><thead><tr><th>kind</th><th class="num">line</th><th>message</th></tr></thead><tbody>
${r.anomalies.map((a) => `<tr><td>${esc(a.kind)}</td><td class="num">${a.line}</td><td>${esc(a.message)}</td></tr>`).join('\n')}
</tbody></table></div></section>`;
}

/**
 * Escapes text for HTML, shown as every human-facing output shows it (text/display.ts): C0
 * and C1 controls as `\xNN`, bidi controls, separators and invisible characters as
 * `<U+202E>`, so that log text cannot reorder or hide what the page says; the two
 * noncharacters XML cannot carry become U+FFFD.
 */
export function esc(s: string): string {
  return displayText(s)
    .replace(/[\uFFFE\uFFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const n = (x: number) => (Math.round(x * 10) / 10).toString();

const CSS = `
:root { --fg:#1d2330; --muted:#5b6474; --bg:#f6f7f9; --card:#fff; --line:#d9dde4;
  --freed:#9aa3b2; --couninitialize:#3f7fd1; --exitprocess:#2f9e6e; --true-leak:#d2433f; --unresolved:#d99a1e; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg); font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
main { max-width:1120px; margin:0 auto; padding:16px; }
header h1 { font-size:1.05rem; font-weight:600; margin:8px 0; word-break:break-all; color:var(--muted); }
.verdict { font-size:1.3rem; font-weight:700; margin:4px 0; padding:10px 14px; border-radius:8px; background:var(--card); border-left:6px solid var(--freed); }
.verdict.leak { border-color:var(--true-leak); } .verdict.undecided { border-color:var(--unresolved); } .verdict.ok { border-color:var(--exitprocess); }
.hint { color:var(--muted); margin:4px 0; font-size:.9rem; }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 16px; margin:14px 0; }
h2 { font-size:1rem; margin:0 0 8px; }
.trunc.complete { color:var(--exitprocess); } .trunc.truncated { color:var(--true-leak); } .trunc.possibly-truncated { color:var(--unresolved); }
.evidence { margin:0; padding-left:20px; } .facts { color:var(--muted); font-size:.9rem; margin:8px 0 0; }
.scroll { overflow-x:auto; }
table { border-collapse:collapse; width:100%; font-size:.9rem; }
th, td { unicode-bidi:isolate; text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-weight:600; white-space:nowrap; } .num { text-align:right; font-variant-numeric:tabular-nums; }
.mono, code { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:.82rem; } .data .group { white-space:nowrap; } .data { min-width:23ch; }\n.datahint { display:block; font-size:.82rem; color:var(--fg); font-weight:600; } code { background:#eef0f4; padding:1px 4px; border-radius:4px; }\ntable.parts td:nth-child(-n+2), td.part { white-space:nowrap; }
.part-verdict.leak { color:var(--true-leak); } .part-verdict.undecided { color:#9a6a07; } .part-verdict.ok { color:var(--exitprocess); }
table.sortable th { cursor:pointer; user-select:none; } table.sortable th[aria-sort]::after { content:" \\25B4"; } table.sortable th[aria-sort=descending]::after { content:" \\25BE"; }
.dot { display:inline-block; width:10px; height:10px; border-radius:50%; margin-right:6px; background:var(--freed); }
${['freed', 'couninitialize', 'exitprocess', 'true-leak', 'unresolved'].map((c) => `.cat-${c} .dot { background:var(--${c}); } table.blocks tr.cat-${c} td:first-child { border-left:4px solid var(--${c}); }`).join('\n')}
.chart { margin:0; } .chart svg { width:100%; height:auto; display:block; }
.area { fill:rgba(63,127,209,.28); stroke:#3f7fd1; stroke-width:1.5; vector-effect:non-scaling-stroke; }
.band.running { fill:#eef2f8; } .band.after { fill:#fdf4e3; } .band.exit { fill:#e8f5ee; }
.band-label, .mark-label, .tick, .peak-label, .episode-label { font-size:12px; fill:var(--muted); }
.mark { stroke:#6a6f7a; stroke-dasharray:4 3; } .peak { fill:var(--true-leak); } .peak-label { fill:var(--fg); font-weight:600; }
.episode { fill:rgba(47,158,110,.16); stroke:var(--exitprocess); stroke-dasharray:3 2; } .episode-label { fill:var(--exitprocess); font-weight:600; }
.axis { stroke:#9aa3b2; }
table.tests tr.leak td.testname { color:var(--true-leak); font-weight:600; } table.tests tr.undecided td.testname { color:#9a6a07; } td.testname, td.test { overflow-wrap:anywhere; min-width:12ch; }
.findings, .holders { margin:0; padding-left:20px; } .holderhint { display:block; font-size:.82rem; color:#9a6a07; } .holders .source { color:var(--muted); font-size:.85rem; word-break:break-all; } .empty { color:var(--muted); margin:0; }
footer { text-align:center; color:var(--muted); font-size:.8rem; padding:12px 16px 24px; }
.legend { display:flex; flex-wrap:wrap; gap:4px 16px; font-size:.82rem; color:var(--muted); margin-top:6px; }
.legend span { white-space:nowrap; } .sw { display:inline-block; width:12px; height:12px; margin-right:5px; vertical-align:-2px; border-radius:2px; }
.sw.band.running { background:#eef2f8; border:1px solid #cfd8e6; } .sw.band.after { background:#fdf4e3; border:1px solid #ecd9b0; } .sw.band.exit { background:#e8f5ee; border:1px solid #b8dcc8; }
.sw.mark { border-left:2px dashed #6a6f7a; border-radius:0; width:2px; } .sw.peak { background:var(--true-leak); border-radius:50%; } .sw.episode { background:rgba(47,158,110,.16); border:1px dashed var(--exitprocess); }
@media (max-width: 600px) { body { font-size:14px; } main { padding:8px; } section { padding:10px; } .verdict { font-size:1.05rem; }
  .band-label, .peak-label, .episode-label { display:none; } .tick { font-size:24px; } .meaning { display:none; } }
`;

const SORT_SCRIPT = `
for (const table of document.querySelectorAll('table.sortable')) {
  const heads = table.tHead.rows[0].cells;
  for (let i = 0; i < heads.length; i++) {
    heads[i].addEventListener('click', () => {
      const th = heads[i];
      const dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      for (const h of heads) h.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', dir);
      const numeric = th.classList.contains('num');
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      const key = (r) => { const c = r.cells[i]; const t = c.dataset.sort ?? c.textContent; return numeric ? (t === '' ? Infinity : Number(t)) : t; };
      rows.sort((a, b) => { const x = key(a), y = key(b); const c = numeric ? x - y : String(x).localeCompare(String(y)); return dir === 'ascending' ? c : -c; });
      body.append(...rows);
    });
  }
}
`;

/**
 * The page runs only its own script and style: the policy names them by hash, so text
 * from a log that slipped past escaping could not run or restyle anything (no
 * 'unsafe-inline'); nothing is loaded from anywhere, no form posts, no <base>.
 */
const CSP = [
  "default-src 'none'",
  `style-src '${sha256(CSS)}'`,
  `script-src '${sha256(SORT_SCRIPT)}'`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}
