// A table of many rows, sorted on the server: TanStack table-core holds the columns and the sort
// state (manualSorting: the page never sorts rows itself), virtual-core renders only the rows in
// view (a plain table of 10,000 rows took 1.6 s to paint, a virtualised one 26 ms, dashboard.md).
// Rows are real <tr>s between two spacer rows, so the table stays a table to assistive technology
// (aria-rowcount / aria-rowindex give the position in the whole result).
import {
  type ColumnDef,
  createTable,
  getCoreRowModel,
  type SortingState,
  type TableOptionsResolved,
} from '@tanstack/table-core';
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';

export interface Column<R> {
  id: string;
  header: string;
  /** Text, or markup (a link). */
  cell: (row: R, index: number) => ComponentChildren;
  /** Numbers align right and sort largest first on the first click. */
  numeric?: boolean;
  sortable?: boolean;
}

const ROW_HEIGHT = 34;

export function VirtualTable<R>(props: {
  label: string;
  columns: Column<R>[];
  rows: R[];
  /** The row number of the first row in the whole result (server pages). */
  offset: number;
  total: number;
  sort: { id: string; desc: boolean };
  onSort: (s: { id: string; desc: boolean }) => void;
  /** The column that names the row (a row header for screen readers). */
  rowHeader?: string;
  height?: number;
  testId?: string;
  /** A row's data-key (tests find rows by it). */
  rowKey?: (row: R) => string;
}) {
  const { columns, rows } = props;
  const defs = useMemo<ColumnDef<R>[]>(
    () =>
      columns.map((c) => ({
        id: c.id,
        header: c.header,
        accessorFn: (r: R) => r,
        enableSorting: c.sortable !== false,
        sortDescFirst: !!c.numeric,
      })),
    [columns],
  );
  const sorting: SortingState = [props.sort];
  const table = useMemo(() => {
    const options: TableOptionsResolved<R> = {
      data: rows,
      columns: defs,
      state: { sorting },
      manualSorting: true,
      enableMultiSort: false,
      onStateChange: () => undefined,
      onSortingChange: (up) => {
        const next = typeof up === 'function' ? up(sorting) : up;
        if (next[0]) props.onSort({ id: next[0].id, desc: next[0].desc });
      },
      getCoreRowModel: getCoreRowModel(),
      renderFallbackValue: null,
    };
    return createTable(options);
  }, []);
  table.setOptions((prev) => ({
    ...prev,
    data: rows,
    columns: defs,
    state: { ...table.initialState, sorting },
    onSortingChange: (up) => {
      const next = typeof up === 'function' ? up(sorting) : up;
      if (next[0]) props.onSort({ id: next[0].id, desc: next[0].desc });
    },
  }));

  const box = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [virtualizer] = useState(
    () =>
      new Virtualizer<HTMLDivElement, HTMLTableRowElement>({
        count: rows.length,
        getScrollElement: () => box.current,
        estimateSize: () => ROW_HEIGHT,
        overscan: 8,
        scrollToFn: elementScroll,
        observeElementRect,
        observeElementOffset,
        onChange: () => rerender(0),
      }),
  );
  virtualizer.setOptions({ ...virtualizer.options, count: rows.length, onChange: () => rerender(0) });
  useEffect(() => virtualizer._didMount(), []);
  useLayoutEffect(() => virtualizer._willUpdate());
  // A new page or order starts at its first row.
  useEffect(() => {
    if (box.current) box.current.scrollTop = 0;
  }, [rows]);

  const items = virtualizer.getVirtualItems();
  const before = items.length ? items[0].start : 0;
  const after = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  const tableRows = table.getRowModel().rows;
  const colOf = new Map(columns.map((c) => [c.id, c]));
  return (
    <div class="vtable" ref={box} style={{ maxHeight: `${props.height ?? 480}px` }} data-testid={props.testId}>
      <table class="data wide" aria-label={props.label} aria-rowcount={props.total + 1}>
        <thead>
          {table.getHeaderGroups().map((g) => (
            <tr key={g.id} aria-rowindex={1}>
              {g.headers.map((h) => {
                const c = colOf.get(h.column.id)!;
                const dir = h.column.getIsSorted();
                return (
                  <th
                    key={h.id}
                    scope="col"
                    class={c.numeric ? 'num' : ''}
                    aria-sort={dir === 'desc' ? 'descending' : dir === 'asc' ? 'ascending' : undefined}
                  >
                    {h.column.getCanSort() ? (
                      <button type="button" class="sort" onClick={h.column.getToggleSortingHandler()}>
                        {c.header}
                        <span aria-hidden="true">{dir === 'desc' ? ' ↓' : dir === 'asc' ? ' ↑' : ''}</span>
                      </button>
                    ) : (
                      c.header
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {before > 0 && <tr aria-hidden="true" style={{ height: `${before}px` }} />}
          {items.map((v) => {
            const row = tableRows[v.index];
            if (!row) return null;
            return (
              <tr
                key={row.id}
                data-key={props.rowKey?.(row.original)}
                aria-rowindex={props.offset + v.index + 2}
                style={{ height: `${ROW_HEIGHT}px` }}
              >
                {columns.map((c) =>
                  c.id === props.rowHeader ? (
                    <th key={c.id} scope="row">
                      {c.cell(row.original, props.offset + v.index)}
                    </th>
                  ) : (
                    <td key={c.id} class={c.numeric ? 'num' : ''}>
                      {c.cell(row.original, props.offset + v.index)}
                    </td>
                  ),
                )}
              </tr>
            );
          })}
          {after > 0 && <tr aria-hidden="true" style={{ height: `${after}px` }} />}
        </tbody>
      </table>
    </div>
  );
}
