// Ordering text in outputs: by UTF-16 code unit, the same on every machine. localeCompare
// depends on the locale and the ICU data Node was built with (the order of goldens, CSV
// rows and baseline rows would change between a developer's Windows box and CI), and costs
// microseconds per call in sorts of a million blocks.

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
