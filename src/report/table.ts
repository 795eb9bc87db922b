// One table look for every text reporter: no colour codes (cli-table3 would colour
// borders even when piped) and no rule between rows, so tables stay compact in CI logs.
import Table from 'cli-table3';

export type Align = 'left' | 'right' | 'center';

export function compactTable(head: string[], colAligns: Align[]): InstanceType<typeof Table> {
  return new Table({
    head,
    colAligns,
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
}
