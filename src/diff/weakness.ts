// When a diff cannot be taken at face value. A truncated side turns runtime-held blocks
// into `unresolved`, runs of different length did different work, and anomalies mean a
// side's counts may be off. Each reason is a sentence for the user.
import { count } from '../text/words.js';
import { CATEGORIES } from '../model/block.js';
import { unseenIn, type Report } from '../model/report.js';

/** Event counts further apart than this factor mean the runs did not do the same work. */
export const EVENT_RATIO = 2;

/** `cut`: why B reads possibly truncated against A (diff/reference.ts), or null. */
export function assessWeaknesses(a: Report, b: Report, cut: string | null = null): string[] {
  const out: string[] = [];
  for (const [name, r] of [
    ['A', a],
    ['B', b],
  ] as const) {
    if (name === 'B' && cut !== null) {
      out.push(`B (${r.source}) reads possibly truncated against A: ${cut}`);
    } else if (r.truncation !== 'complete') {
      const reason = worstEvidence(r);
      const why = reason ? `: ${reason}` : '';
      out.push(
        `${name} (${r.source}) is ${r.truncation.replace('-', ' ')}${why}; its never-freed blocks count as unresolved, ` +
          'so runtime-held memory and leaks cannot be told apart on that side',
      );
    }
  }
  const ea = events(a);
  const eb = events(b);
  if (Math.max(ea, eb) > EVENT_RATIO * Math.min(ea, eb)) {
    out.push(
      `very different event counts: A has ${count(a.allocs, 'allocation')} and ${count(a.frees, 'free')}, ` +
        `B has ${count(b.allocs, 'allocation')} and ${count(b.frees, 'free')}: the runs may not have done the same work`,
    );
  }
  for (const [name, r] of [
    ['A', a],
    ['B', b],
  ] as const) {
    const kinds = Object.entries(r.anomalyCounts).filter(([, k]) => k > 0);
    if (kinds.length > 0) {
      const total = kinds.reduce((s, [, k]) => s + k, 0);
      out.push(
        `${name} has ${count(total, 'anomaly', 'anomalies')} (${kinds.map(([kind, k]) => `${kind} \u00d7${k}`).join(', ')}): ` +
          'its block counts may be off',
      );
    }
    // Blocks only the spy's count knows have a group of their own (diff.ts): covered, though not listed.
    const listed = r.blocks.length + unseenIn(r.unseen, 'true-leak') + unseenIn(r.unseen, 'unresolved');
    let counted = 0;
    for (const c of CATEGORIES) if (c !== 'freed') counted += r.summary[c].blocks;
    if (listed < counted) {
      out.push(`${name} lists ${listed} of its ${counted} non-freed blocks: the groups cover only the listed ones`);
    }
  }
  return out;
}

function events(r: Report): number {
  return r.allocs + r.frees + r.reallocs;
}

/**
 * Why a report is as complete as it is: in a file of several runs or processes, the first
 * evidence of the first part with the file's verdict (run 1's `the last line ends with a
 * line end` says nothing of why run 2 may be cut).
 */
function worstEvidence(r: Report): string | undefined {
  const parts: { label: string; truncation: string | undefined }[] = [
    ...(r.processes ?? []).map((p) => ({ label: `pid ${p.pid}`, truncation: p.report?.truncation })),
    ...(r.runs ?? []).map((p) => ({ label: `run ${p.index}`, truncation: p.report?.truncation })),
  ];
  const worst = parts.find((p) => p.truncation === r.truncation);
  return (worst && r.evidence.find((e) => e.startsWith(`${worst.label} (`))) ?? r.evidence[0];
}
