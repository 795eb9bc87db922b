// Golden files: every shipped log in every report format. Regenerate with
// `npm run golden` after an intended change, then read the diff before committing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeBuffer } from '../src/analyze.js';
import { csvHeader, renderCsvRows } from '../src/report/csv.js';
import { renderText } from '../src/report/text.js';
import { PLAIN } from '../src/report/style.js';
import { ROOT, allFixtureLogs } from './helpers.js';

const GOLDEN = join(ROOT, 'test', 'golden', 'report');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function check(file: string, actual: string): void {
  const path = join(GOLDEN, file);
  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `missing golden ${file}: run npm run golden`);
  assert.equal(actual, readFileSync(path, 'utf8'), `${file} differs from its golden file`);
}

for (const log of allFixtureLogs()) {
  test(`golden: ${log}`, () => {
    const report = analyzeBuffer(readFileSync(join(ROOT, log)), { source: log });
    const base = log.replace(/^fixtures\//, '').replace(/\//g, '__').replace(/\.log$/, '');
    check(`${base}.txt`, renderText(report, PLAIN));
    check(`${base}.json`, JSON.stringify(report, null, 2) + '\n');
    check(`${base}.csv`, csvHeader() + renderCsvRows(report));
  });
}
