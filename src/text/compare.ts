// Ordering text in outputs: by UTF-16 code unit, the same on every machine. localeCompare
// depends on the locale and the ICU data Node was built with (the order of goldens, CSV
// rows and baseline rows would change between a developer's Windows box and CI), and costs
// microseconds per call in sorts of a million blocks.

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Made on first use: a collator costs ICU's start-up. */
let words: Intl.Collator | null = null;

/**
 * Names a person reads in a table (call names, contexts): ordered as people sort them (case
 * and accents second), under one fixed locale, then by code unit where the collator sees no
 * difference (it ignores zero-width characters). A collator made with no locale takes the
 * machine's: the same report printed its groups in another order on a Swedish desktop than
 * in CI (`ä` after `z`). The same on every machine with the same ICU data.
 */
export function compareWords(a: string, b: string): number {
  return (words ??= new Intl.Collator('en')).compare(a, b) || compareText(a, b);
}

let parts: Intl.Collator | null = null;

/**
 * Part labels (`pid 9`, `run 10`): numbers by value, so `pid 9` comes before `pid 10`. Made
 * once: localeCompare with options builds a collator per call (4.6 µs a comparison; a sort
 * of 100,000 groups took ~8 s).
 */
export function compareParts(a: string, b: string): number {
  return (parts ??= new Intl.Collator('en', { numeric: true })).compare(a, b);
}
