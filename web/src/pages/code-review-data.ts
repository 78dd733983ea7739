// What the Code Review page shows, from the two code review endpoints (rows per bucket, and per
// bucket and repository): the tiles, the series over time, the per-repository table. Pure sums of
// what the API returned, so every figure on screen is one the API gave.
import { analyticsRows, type Bucketed, perBucket } from '../components/analytics.js';
import type { Grain } from '../components/range.js';
import type { Line } from '../components/time-chart.js';

export interface ReviewRow extends Bucketed {
  repository?: string;
  pull_request_reviews: number;
  comments: number;
  comment_details: { p0: number; p1: number; p2: number; p3: number; unprioritized: number };
}
export interface ResponseRow extends Bucketed {
  repository?: string;
  replies: number;
  reactions: number;
  reaction_details: { upvotes: number; downvotes: number; other: number };
  comment_response_details: { engaged: number; replied: number; reacted: number };
}

export interface CodeReviewData {
  reviews: ReviewRow[];
  responses: ResponseRow[];
  repoReviews: ReviewRow[];
  repoResponses: ResponseRow[];
}

export async function loadCodeReview(ws: string, q: { start: number; end: number; grain: Grain }) {
  const [reviews, responses, repoReviews, repoResponses] = await Promise.all([
    analyticsRows<ReviewRow>(ws, 'code_reviews', q),
    analyticsRows<ResponseRow>(ws, 'code_review_responses', q),
    analyticsRows<ReviewRow>(ws, 'code_reviews', { ...q, group: 'repository' }),
    analyticsRows<ResponseRow>(ws, 'code_review_responses', { ...q, group: 'repository' }),
  ]);
  return { reviews, responses, repoReviews, repoResponses } satisfies CodeReviewData;
}

const sum = <R>(rows: R[], f: (r: R) => number) => rows.reduce((a, r) => a + f(r), 0);

export function codeReviewTotals(d: CodeReviewData) {
  const up = sum(d.responses, (r) => r.reaction_details.upvotes);
  const down = sum(d.responses, (r) => r.reaction_details.downvotes);
  const comments = sum(d.reviews, (r) => r.comments);
  return {
    reviews: sum(d.reviews, (r) => r.pull_request_reviews),
    comments,
    highPriority: sum(d.reviews, (r) => r.comment_details.p0 + r.comment_details.p1),
    replies: sum(d.responses, (r) => r.replies),
    reactions: sum(d.responses, (r) => r.reactions),
    upvotes: up,
    downvotes: down,
    /** Share of thumbs that are up; null without any. */
    positive: up + down ? up / (up + down) : null,
    engaged: sum(d.responses, (r) => r.comment_response_details.engaged),
    replied: sum(d.responses, (r) => r.comment_response_details.replied),
    reacted: sum(d.responses, (r) => r.comment_response_details.reacted),
  };
}

const PRIORITIES = [
  ['P0', 'p0'],
  ['P1', 'p1'],
  ['P2', 'p2'],
  ['P3', 'p3'],
  ['Unprioritized', 'unprioritized'],
] as const;

export function findingsSeries(rows: ReviewRow[], x: number[]): Line[] {
  return PRIORITIES.map(([key, f]) => ({ key, values: perBucket(rows, x, (r) => r.comment_details[f]) }));
}

export function sentimentSeries(rows: ResponseRow[], x: number[]): Line[] {
  return [
    { key: 'Upvotes', values: perBucket(rows, x, (r) => r.reaction_details.upvotes) },
    { key: 'Downvotes', values: perBucket(rows, x, (r) => r.reaction_details.downvotes) },
    { key: 'Other', values: perBucket(rows, x, (r) => r.reaction_details.other) },
  ];
}

export interface RepoLine {
  repository: string;
  reviews: number;
  comments: number;
  p0: number;
  p1: number;
  p2: number;
  p3: number;
  replies: number;
  upvotes: number;
  downvotes: number;
  engaged: number;
}

export function repositoryTable(d: CodeReviewData): RepoLine[] {
  const m = new Map<string, RepoLine>();
  const of = (repository: string) => {
    let l = m.get(repository);
    if (!l)
      m.set(
        repository,
        (l = {
          repository,
          reviews: 0,
          comments: 0,
          p0: 0,
          p1: 0,
          p2: 0,
          p3: 0,
          replies: 0,
          upvotes: 0,
          downvotes: 0,
          engaged: 0,
        }),
      );
    return l;
  };
  for (const r of d.repoReviews) {
    const l = of(r.repository ?? '');
    l.reviews += r.pull_request_reviews;
    l.comments += r.comments;
    l.p0 += r.comment_details.p0;
    l.p1 += r.comment_details.p1;
    l.p2 += r.comment_details.p2;
    l.p3 += r.comment_details.p3;
  }
  for (const r of d.repoResponses) {
    const l = of(r.repository ?? '');
    l.replies += r.replies;
    l.upvotes += r.reaction_details.upvotes;
    l.downvotes += r.reaction_details.downvotes;
    l.engaged += r.comment_response_details.engaged;
  }
  return [...m.values()];
}
