// Numbers and counted nouns as every human-readable output writes them: `1,234`,
// `1 block`, `3 entries`, `128 bytes`.

export function num(x: number): string {
  // Integers are grouped here: a process's first toLocaleString sets up ICU's number
  // formatting (~10 ms), which every text report paid for its counts. Anything else
  // (fractions, rounded to 3 digits by en-US; -0, printed `-0`; beyond 2^53) is left to it.
  if (!Number.isSafeInteger(x) || Object.is(x, -0)) return x.toLocaleString('en-US');
  const digits = String(x < 0 ? -x : x);
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += ',' + digits.slice(i, i + 3);
  return x < 0 ? '-' + out : out;
}

export function count(k: number, noun: string, plural = noun + 's'): string {
  return `${num(k)} ${k === 1 ? noun : plural}`;
}

export function bytes(k: number): string {
  return count(k, 'byte');
}

/** A 32-bit value as an HRESULT is printed: `0x80070005`. */
export function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/**
 * A test as every human and CI format names it: the runner's name, and when the run printed
 * that name more than once (GoogleTest's --gtest_repeat), which time after the first
 * (`A.B (iteration 2)`): the first keeps its name exactly.
 */
export function testLabel(name: string, iteration: number | undefined): string {
  return iteration !== undefined && iteration > 1 ? `${name} (iteration ${iteration})` : name;
}

/**
 * The bytes of `blocks` blocks of which `unknown` have no size (blocks only the spy's count
 * knows, Report.unseen): `96 bytes`, `size unknown`, `64 bytes, and 1 of unknown size`.
 */
export function bytesOf(total: number, blocks: number, unknown: number): string {
  if (unknown <= 0) return bytes(total);
  if (unknown >= blocks) return blocks === 1 ? 'size unknown' : 'sizes unknown';
  return `${bytes(total)}, and ${num(unknown)} of unknown size`;
}

/** Where blocks only the spy's output knows (Report.unseen) are known from: `the spy's count at line 6`. */
export function unseenSource(u: { line: number; by: 'count' | 'revoke' | 'report' }): string {
  if (u.by === 'count') return `the spy's count at line ${num(u.line)}`;
  if (u.by === 'revoke')
    return `CoRevokeMallocSpy's refusal at line ${num(u.line)} (0x80070005: blocks the spy saw allocated were still alive, and this log knew none)`;
  return `the leak report at line ${num(u.line)} (the C runtime prints it only when blocks leaked, and it lists none this log could read)`;
}

/** What the log lost of blocks only the spy's output knows: `its allocation line`, `their entries in the report`. */
export function unseenLost(u: { blocks: number; by: 'count' | 'revoke' | 'report' }): string {
  if (u.by === 'report') return u.blocks === 1 ? 'its entry in the report' : 'their entries in the report';
  return u.blocks === 1 ? 'its allocation line' : 'their allocation lines';
}
