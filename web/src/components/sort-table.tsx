// A table of a few hundred rows at most (per repository, per tool), sorted in the browser by the
// column header's button; aria-sort says which column and which way. Cells carry their raw value.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export interface Column<R> {
  key: string;
  label: string;
  value: (r: R) => number | string | null;
  show?: (r: R) => ComponentChildren;
  /** The row's header cell (its name): left-aligned, read out before the others. */
  head?: boolean;
  /** A column of words, not figures: left-aligned. */
  text?: boolean;
}

export function SortTable<R>(props: {
  rows: R[];
  columns: Column<R>[];
  rowKey: (r: R) => string;
  initialSort: string;
  caption: string;
  testId?: string;
}) {
  const [sort, setSort] = useState({ key: props.initialSort, desc: true });
  const col = props.columns.find((c) => c.key === sort.key) ?? props.columns[0];
  const rows = [...props.rows].sort((a, b) => {
    const x = col.value(a) ?? -Infinity;
    const y = col.value(b) ?? -Infinity;
    const c = typeof x === 'string' || typeof y === 'string' ? String(x).localeCompare(String(y)) : x - y;
    return (sort.desc ? -c : c) || props.rowKey(a).localeCompare(props.rowKey(b));
  });
  if (rows.length === 0) return <p class="empty">Nothing in this range.</p>;
  return (
    <div class="table-wrap">
      <table class="data wide" data-testid={props.testId}>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th
                scope="col"
                key={c.key}
                class={c.head || c.text ? 'text' : undefined}
                aria-sort={c.key === sort.key ? (sort.desc ? 'descending' : 'ascending') : undefined}
              >
                <button
                  type="button"
                  class="sort"
                  onClick={() => setSort({ key: c.key, desc: c.key === sort.key ? !sort.desc : !c.head })}
                >
                  {c.label}
                  <span aria-hidden="true">{c.key === sort.key ? (sort.desc ? ' ↓' : ' ↑') : ''}</span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={props.rowKey(r)} data-key={props.rowKey(r)}>
              {props.columns.map((c) =>
                c.head ? (
                  <th scope="row" key={c.key}>
                    {c.show ? c.show(r) : c.value(r)}
                  </th>
                ) : (
                  <td
                    key={c.key}
                    data-col={c.key}
                    data-value={c.value(r) ?? ''}
                    class={typeof c.value(r) === 'string' ? 'text' : undefined}
                  >
                    {c.show ? c.show(r) : c.value(r)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
