// "Download CSV" (or JSON) for one of the Analytics API exports, to place beside any table or chart.
// A plain link: the browser streams the file to disk with the session cookie (a GET needs no CSRF
// token), so a 90-day export of 10,000 people never passes through the page's memory.
export type ExportName = 'usage' | 'users' | 'code_reviews';

export interface ExportLinkProps {
  workspace: string;
  name: ExportName;
  format?: 'csv' | 'json';
  /** The window, Unix seconds (end exclusive), as the panel beside it shows. */
  start: number;
  end: number;
  groupBy?: 'day' | 'week';
  label?: string;
}

export function exportHref(p: Omit<ExportLinkProps, 'label'>): string {
  const params = new URLSearchParams({
    start_time: String(p.start),
    end_time: String(p.end),
    group_by: p.groupBy ?? 'day',
  });
  const ws = encodeURIComponent(p.workspace);
  return `/v1/analytics/codex/workspaces/${ws}/exports/${p.name}.${p.format ?? 'csv'}?${params}`;
}

export function ExportLink(props: ExportLinkProps) {
  const format = props.format ?? 'csv';
  const label = props.label ?? `Download ${format.toUpperCase()}`;
  return (
    <a class="export-link" href={exportHref(props)} download data-testid={`export-${props.name}-${format}`}>
      {label}
    </a>
  );
}
