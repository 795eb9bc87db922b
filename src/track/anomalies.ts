// Inconsistencies are data: each is kept with its line number, up to a bound per kind
// so that a file of binary garbage cannot grow memory without end. Totals per kind are
// always exact; the report says how many were not listed.
import type { Anomaly } from '../model/report.js';

export class AnomalyLog {
  readonly counts = new Map<string, number>();
  private readonly kept: Anomaly[] = [];

  constructor(private readonly keepPerKind: number) {}

  add(kind: string, line: number, message: string): void {
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    if (n <= this.keepPerKind) this.kept.push({ kind, line, message });
  }

  /** Whether an anomaly of this kind would still be listed (not only counted). */
  listing(kind: string): boolean {
    return (this.counts.get(kind) ?? 0) < this.keepPerKind;
  }

  count(kind: string): number {
    return this.counts.get(kind) ?? 0;
  }

  get total(): number {
    let t = 0;
    for (const n of this.counts.values()) t += n;
    return t;
  }

  /** The listed anomalies, in line order. */
  list(): Anomaly[] {
    return [...this.kept].sort((a, b) => a.line - b.line);
  }
}
