// Numbers and counted nouns as every human-readable output writes them: `1,234`,
// `1 block`, `3 entries`, `128 bytes`.

export function num(x: number): string {
  return x.toLocaleString('en-US');
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
