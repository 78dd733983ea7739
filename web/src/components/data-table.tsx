// A table people can sort (click or Enter on a header), filter and page through. The rows live in
// memory; only one page of them is in the DOM, so a table of 10,000 people stays quick.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';

export interface Column<R> {
  key: string;
  label: string;
  /** The sort value (and a number column is right-aligned). */
  value: (r: R) => number | string | null;
  render?: (r: R) => ComponentChildren;
  numeric?: boolean;
  /** false: a figure not known for every row (read per shown page), so not offered as a sort. */
  sortable?: boolean;
}

export function DataTable<R>(props: {
  id: string;
  caption: string;
  columns: Column<R>[];
  rows: R[];
  rowKey: (r: R) => string;
  sort?: { key: string; desc: boolean };
  pageSize?: number;
  /** Text a row is found by in the filter box; no filter box without it. */
  search?: (r: R) => string;
  empty?: string;
  /** Told the rows on screen whenever they change (to read figures for those rows only). */
  onShown?: (rows: R[]) => void;
}) {
  const [sort, setSort] = useState(props.sort ?? { key: props.columns[0].key, desc: false });
  const [query, setQuery] = useState('');
  const [page, setPage] = useState(0);
  const size = props.pageSize ?? 50;
  const sorted = useMemo(() => {
    const col = props.columns.find((c) => c.key === sort.key) ?? props.columns[0];
    const q = query.trim().toLowerCase();
    const rows = q && props.search ? props.rows.filter((r) => props.search!(r).toLowerCase().includes(q)) : props.rows;
    const dir = sort.desc ? -1 : 1;
    return [...rows].sort((a, b) => {
      const x = col.value(a);
      const y = col.value(b);
      if (x === y) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * dir;
    });
  }, [props.rows, props.columns, sort, query]);
  const pages = Math.max(1, Math.ceil(sorted.length / size));
  const at = Math.min(page, pages - 1);
  const shown = sorted.slice(at * size, (at + 1) * size);
  const shownKeys = shown.map(props.rowKey).join(' ');
  useEffect(() => props.onShown?.(shown), [shownKeys]);
  const toggle = (key: string) => {
    setSort((s) => (s.key === key ? { key, desc: !s.desc } : { key, desc: true }));
    setPage(0);
  };
  return (
    <div class="table-wrap">
      {props.search && (
        <label class="filter">
          Filter
          <input
            type="search"
            value={query}
            placeholder="email, role…"
            onInput={(e) => {
              setQuery((e.target as HTMLInputElement).value);
              setPage(0);
            }}
          />
        </label>
      )}
      <table class="data wide" data-testid={props.id}>
        <caption class="sr-only">{props.caption}</caption>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th
                key={c.key}
                scope="col"
                class={c.numeric ? 'num' : ''}
                aria-sort={
                  c.sortable === false
                    ? undefined
                    : sort.key === c.key
                      ? sort.desc
                        ? 'descending'
                        : 'ascending'
                      : 'none'
                }
              >
                {c.sortable === false ? (
                  c.label
                ) : (
                  <button type="button" class="sort" onClick={() => toggle(c.key)}>
                    {c.label}
                    <span aria-hidden="true">{sort.key === c.key ? (sort.desc ? ' ▾' : ' ▴') : ''}</span>
                  </button>
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={props.rowKey(r)} data-key={props.rowKey(r)}>
              {props.columns.map((c) => (
                <td key={c.key} class={c.numeric ? 'num' : ''}>
                  {c.render ? c.render(r) : String(c.value(r) ?? '–')}
                </td>
              ))}
            </tr>
          ))}
          {shown.length === 0 && (
            <tr>
              <td colSpan={props.columns.length} class="empty">
                {props.empty ?? 'Nothing to show.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {pages > 1 && (
        <nav class="pager" aria-label={`${props.caption}: pages`}>
          <button type="button" class="ghost" disabled={at === 0} onClick={() => setPage(at - 1)}>
            Previous
          </button>
          <span>
            Page {at + 1} of {pages} · {sorted.length} rows
          </span>
          <button type="button" class="ghost" disabled={at >= pages - 1} onClick={() => setPage(at + 1)}>
            Next
          </button>
        </nav>
      )}
    </div>
  );
}
