import type { DiffResult } from './schema.js';

/** The whole comparison as one line of JSON (`spylog/diff@1`). */
export function renderDiffJson(diff: DiffResult): string {
  return JSON.stringify(diff) + '\n';
}
