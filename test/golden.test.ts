// Golden files: every shipped log in every report format. Regenerate with
// `npm run golden` after an intended change, then read the diff before committing.
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeBuffer } from '../src/analyze.js';
import { csvHeader, renderCsvRows } from '../src/report/csv.js';
import { renderText } from '../src/report/text.js';
import { PLAIN } from '../src/report/style.js';
import { allFixtureLogs, assertGolden, ROOT } from './helpers.js';

for (const log of allFixtureLogs()) {
  test(`golden: ${log}`, () => {
    const report = analyzeBuffer(readFileSync(join(ROOT, log)), { source: log });
    const base = log
      .replace(/^fixtures\//, '')
      .replace(/\//g, '__')
      .replace(/\.log$/, '');
    assertGolden('report', `${base}.txt`, renderText(report, PLAIN));
    assertGolden('report', `${base}.json`, JSON.stringify(report, null, 2) + '\n');
    assertGolden('report', `${base}.csv`, csvHeader() + renderCsvRows(report));
  });
}
