import type { Report } from './schema.js';

/** One report as one line of JSON: several logs give JSON Lines (one object per line). */
export function renderJson(report: Report): string {
  return JSON.stringify(report) + '\n';
}
