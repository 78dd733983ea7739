// A page of a server-sorted, server-paged result: the virtualised rows, the pager under them, and
// the two states before and beside them (still loading; nothing to show, said in words). The
// ranking, the seat view and the Admin people list are this same table over different reads.
import { OffsetPager } from './offset-pager.js';
import { type Column, VirtualTable } from './virtual-table.js';

/** One page in the shape the people reads answer with. */
export interface Page<R> {
  data: R[];
  /** Rows in the whole result, as the server counted them. */
  total: number;
  has_more: boolean;
}

export function PagedTable<R>(props: {
  label: string;
  columns: Column<R>[];
  /** null while the first page loads. */
  page: Page<R> | null;
  offset: number;
  pageSize: number;
  onOffset: (offset: number) => void;
  sort: { id: string; desc: boolean };
  /** Absent: the server's one order, the headers do not sort. */
  onSort?: (s: { id: string; desc: boolean }) => void;
  rowHeader?: string;
  rowKey?: (row: R) => string;
  /** What to say when the result is empty; absent: an empty table. */
  empty?: string;
  testId: string;
  countTestId: string;
}) {
  const { page } = props;
  if (!page) return <p class="loading">Loading…</p>;
  if (page.total === 0 && props.empty) return <p class="empty">{props.empty}</p>;
  const onSort = props.onSort;
  return (
    <>
      <VirtualTable
        label={props.label}
        columns={props.columns}
        rows={page.data}
        offset={props.offset}
        total={page.total}
        sort={props.sort}
        rowHeader={props.rowHeader}
        rowKey={props.rowKey}
        // A new order starts again at the first page.
        onSort={(s) => {
          if (!onSort) return;
          props.onOffset(0);
          onSort(s);
        }}
        testId={props.testId}
      />
      <OffsetPager
        offset={props.offset}
        shown={page.data.length}
        total={page.total}
        more={page.has_more}
        pageSize={props.pageSize}
        onOffset={props.onOffset}
        testId={props.countTestId}
      />
    </>
  );
}
