// Previous / Next over a server-paged table (the ranking, the seat view): the page's position and
// the total as the server counted them, the offset moved a page at a time.
import { fmtInt } from '../format.js';

interface Props {
  offset: number;
  shown: number;
  total: number;
  more: boolean;
  pageSize: number;
  onOffset: (offset: number) => void;
  testId: string;
}

export function OffsetPager(p: Props) {
  return (
    <div class="pager">
      <span data-testid={p.testId}>
        {p.total ? p.offset + 1 : 0}–{p.offset + p.shown} of {fmtInt(p.total)}
      </span>
      <button
        type="button"
        class="ghost"
        disabled={p.offset === 0}
        onClick={() => p.onOffset(Math.max(0, p.offset - p.pageSize))}
      >
        Previous
      </button>
      <button type="button" class="ghost" disabled={!p.more} onClick={() => p.onOffset(p.offset + p.pageSize)}>
        Next
      </button>
    </div>
  );
}
