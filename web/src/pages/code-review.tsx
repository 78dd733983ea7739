// Code Review: PRs reviewed, findings by priority, replies and reactions, sentiment over time and
// per repository, from the code review endpoints (code-review-data.ts).
import '../components/panels.css';
import { useMemo } from 'preact/hooks';
import type { Session } from '../api.js';
import { BarList } from '../components/bar-list.js';
import { type Column, SortTable } from '../components/sort-table.js';
import { bucketStarts } from '../components/range.js';
import { RangeBar, useLoaded, useRange } from '../components/range-bar.js';
import { TimeChart } from '../components/time-chart.js';
import { Tiles } from '../components/tiles.js';
import { fmtInt } from '../format.js';
import {
  codeReviewTotals,
  findingsSeries,
  loadCodeReview,
  type RepoLine,
  repositoryTable,
  sentimentSeries,
} from './code-review-data.js';

const pct = (n: number | null) => (n === null ? '–' : `${Math.round(n * 100)}%`);
const int = (n: number) => fmtInt(n);

const COLUMNS: Column<RepoLine>[] = [
  { key: 'repository', label: 'Repository', value: (r) => r.repository, head: true },
  { key: 'reviews', label: 'PRs reviewed', value: (r) => r.reviews, show: (r) => int(r.reviews) },
  { key: 'comments', label: 'Findings', value: (r) => r.comments, show: (r) => int(r.comments) },
  { key: 'p0', label: 'P0', value: (r) => r.p0, show: (r) => int(r.p0) },
  { key: 'p1', label: 'P1', value: (r) => r.p1, show: (r) => int(r.p1) },
  { key: 'p2', label: 'P2', value: (r) => r.p2, show: (r) => int(r.p2) },
  { key: 'p3', label: 'P3', value: (r) => r.p3, show: (r) => int(r.p3) },
  { key: 'replies', label: 'Replies', value: (r) => r.replies, show: (r) => int(r.replies) },
  { key: 'upvotes', label: 'Upvotes', value: (r) => r.upvotes, show: (r) => int(r.upvotes) },
  { key: 'downvotes', label: 'Downvotes', value: (r) => r.downvotes, show: (r) => int(r.downvotes) },
  {
    key: 'engaged',
    label: 'Engaged',
    value: (r) => (r.comments ? r.engaged / r.comments : null),
    show: (r) => pct(r.comments ? r.engaged / r.comments : null),
  },
];

export default function CodeReview({ session }: { session: Session }) {
  const range = useRange();
  const { start, end } = range.window;
  const { data, error } = useLoaded(
    () => loadCodeReview(session.workspace_id, { start, end, grain: range.grain }),
    [start, end, range.grain, session.workspace_id],
  );
  const x = useMemo(() => bucketStarts(start, end, range.grain), [start, end, range.grain]);
  const view = useMemo(() => {
    if (!data) return null;
    return {
      totals: codeReviewTotals(data),
      findings: findingsSeries(data.reviews, x),
      sentiment: sentimentSeries(data.responses, x),
      repos: repositoryTable(data),
    };
  }, [data, x]);
  const t = view?.totals;
  const per = range.grain === 'day' ? 'per day' : 'per week';
  return (
    <>
      <RangeBar title="Code Review" range={range} />
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <Tiles
        label={`Code Review totals for the last ${range.days} days`}
        tiles={[
          { key: 'reviews', label: 'PRs reviewed', value: t?.reviews ?? null, text: t ? int(t.reviews) : '–' },
          { key: 'comments', label: 'Findings', value: t?.comments ?? null, text: t ? int(t.comments) : '–' },
          {
            key: 'high',
            label: 'P0 + P1 findings',
            value: t?.highPriority ?? null,
            text: t ? int(t.highPriority) : '–',
          },
          { key: 'replies', label: 'Replies', value: t?.replies ?? null, text: t ? int(t.replies) : '–' },
          { key: 'reactions', label: 'Reactions', value: t?.reactions ?? null, text: t ? int(t.reactions) : '–' },
          {
            key: 'positive',
            label: 'Thumbs up',
            value: t?.positive ?? null,
            text: t ? pct(t.positive) : '–',
            note: t ? `${int(t.upvotes)} up · ${int(t.downvotes)} down` : undefined,
          },
        ]}
      />
      <div class="grid-2">
        <section class="panel" aria-labelledby="findings-title">
          <h2 id="findings-title">Findings by priority · {per} (UTC)</h2>
          {view ? (
            <TimeChart x={x} lines={view.findings} label={`Findings by priority, stacked, ${per}`} testId="findings" />
          ) : (
            <p class="loading">Loading…</p>
          )}
        </section>
        <section class="panel" aria-labelledby="sentiment-title">
          <h2 id="sentiment-title">Reactions to findings · {per} (UTC)</h2>
          {view ? (
            <TimeChart
              x={x}
              lines={view.sentiment}
              label={`Upvotes, downvotes and other reactions, stacked, ${per}`}
              testId="sentiment"
            />
          ) : (
            <p class="loading">Loading…</p>
          )}
        </section>
      </div>
      <div class="grid-2">
        <section class="panel" aria-labelledby="priority-title">
          <h2 id="priority-title">Findings by priority · the whole range</h2>
          {view && (
            <BarList
              label="Findings by priority over the range"
              testId="priority-bars"
              items={view.findings.map((l) => ({ key: l.key, value: l.values.reduce((a, b) => a + b, 0) }))}
            />
          )}
        </section>
        <section class="panel" aria-labelledby="engagement-title">
          <h2 id="engagement-title">How people answered the findings</h2>
          {t && (
            <BarList
              label="Findings that people engaged with, replied to, reacted to"
              testId="engagement"
              share={t.comments}
              items={[
                { key: 'Engaged', value: t.engaged },
                { key: 'Replied', value: t.replied },
                { key: 'Reacted', value: t.reacted },
              ]}
            />
          )}
          <p class="hint">Share of the {t ? int(t.comments) : '–'} findings in the range; a finding counts once.</p>
        </section>
      </div>
      <section class="panel" aria-labelledby="repos-title">
        <h2 id="repos-title">By repository</h2>
        {view ? (
          <SortTable
            rows={view.repos}
            columns={COLUMNS}
            rowKey={(r) => r.repository}
            initialSort="comments"
            caption="Code Review per repository over the range"
            testId="repos"
          />
        ) : (
          <p class="loading">Loading…</p>
        )}
      </section>
    </>
  );
}
