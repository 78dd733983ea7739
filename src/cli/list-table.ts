// Lists printed by the admin commands: a header row and aligned columns without borders, so that
// people read them and `grep`/`awk` still split them on runs of spaces. --json prints the rows instead.
import Table from 'cli-table3';

const NO_BORDER = Object.fromEntries(
  [
    'top',
    'top-mid',
    'top-left',
    'top-right',
    'bottom',
    'bottom-mid',
    'bottom-left',
    'bottom-right',
    'left',
    'left-mid',
    'mid',
    'mid-mid',
    'right',
    'right-mid',
    'middle',
  ].map((k) => [k, k === 'middle' ? '  ' : '']),
);

export function listTable(head: string[], rows: (string | null | undefined)[][]): string {
  const t = new Table({
    head,
    chars: NO_BORDER,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const r of rows) t.push(r.map((c) => c ?? '-'));
  return t
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

export const isoOrDash = (ms: number | null | undefined): string => (ms ? new Date(ms).toISOString() : '-');
