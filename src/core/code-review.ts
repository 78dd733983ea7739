// Code review facts (Codex Code Review on GitHub, or any code host through the generic endpoint) and
// the rule that turns one bot comment's state into rollup counters. Pure: no I/O.
//
// Counting model: every bot comment row stores the state it currently contributes to the rollups
// (counted?, priority, reactions by class, live replies). When anything about a comment changes,
// the new state is recomputed from the stored facts and the rollups receive contribution(new) -
// contribution(old). So replays, edits, deletions and reaction removals never double count, and a
// comment is "engaged" (or "replied", "upvoted", ...) at most once however many responses it gets.

export type Priority = 0 | 1 | 2 | 3;

// Who wrote a comment or reacted. Either may be missing (a code host that sends only one).
export interface Person {
  login?: string;
  email?: string;
}

interface FactBase {
  host: string; // 'github' or the generic endpoint's host name; ids are unique within a host
  repository: string; // "owner/repo" on GitHub
  pullRequest: string; // the pull request number, as text
}

// A top-level review by the bot (GitHub pull_request_review, or a bot summary comment).
export interface ReviewFact extends FactBase {
  kind: 'review';
  key: string;
  author: Person;
  ts: number; // submitted_at, epoch ms
  deleted: boolean;
}

// A comment on a pull request. Bot comments are findings; other people's comments are kept only
// when they answer a bot comment (inReplyToKey, or threadKey naming the bot comment's thread).
export interface CommentFact extends FactBase {
  kind: 'comment';
  key: string;
  commentType: CommentType;
  externalId: string;
  author: Person;
  bot: boolean;
  priority: Priority | null;
  reviewKey?: string;
  inReplyToKey?: string;
  threadKey?: string;
  ts: number; // created_at
  updatedAt: number;
  deleted: boolean;
}

export interface ReactionFact {
  kind: 'reaction';
  commentKey: string;
  key: string; // unique per comment (GitHub: the reaction id)
  content: string; // GitHub reaction content: +1, -1, laugh, confused, heart, hooray, rocket, eyes
  user: Person;
  ts: number;
  removed: boolean;
}

export interface PullRequestFact extends FactBase {
  kind: 'pull_request';
  key: string;
  action: 'opened' | 'closed' | 'merged' | 'reopened';
  ts: number;
}

export type CodeReviewFact = ReviewFact | CommentFact | ReactionFact | PullRequestFact;

// inline: a diff comment (GitHub pulls/comments); issue: a conversation comment (GitHub
// issues/comments); general: a comment from another code host.
export type CommentType = 'inline' | 'issue' | 'general';

export function commentKey(host: string, type: CommentType, id: string | number): string {
  return `${host}:${type === 'inline' ? 'pr' : type === 'issue' ? 'issue' : 'c'}:${id}`;
}
export function reviewKey(host: string, id: string | number): string {
  return `${host}:review:${id}`;
}
export function pullRequestKey(host: string, repository: string, number: string | number): string {
  return `${host}:${repository}#${number}`;
}

export function isBotLogin(login: string | undefined, botLogins: readonly string[]): boolean {
  if (!login) return false;
  const l = login.toLowerCase();
  return botLogins.some((b) => b.toLowerCase() === l);
}

export type ReactionClass = 'up' | 'down' | 'other';

export interface ReactionClasses {
  up: readonly string[];
  down: readonly string[];
}

export function classifyReaction(content: string, classes: ReactionClasses): ReactionClass {
  if (classes.up.includes(content)) return 'up';
  if (classes.down.includes(content)) return 'down';
  return 'other';
}

// The rollup counters, in the order of the rollup tables' columns.
export const CR_COUNTERS = [
  'pull_request_reviews',
  'comments',
  'p0',
  'p1',
  'p2',
  'p3',
  'unprioritized',
  'replies',
  'reactions',
  'upvotes',
  'downvotes',
  'other_reactions',
  'engaged',
  'reacted',
  'upvoted',
  'downvoted',
  'reacted_other',
  'replied',
] as const;
export type CrCounter = (typeof CR_COUNTERS)[number];
export type CrCounters = Record<CrCounter, number>;

export function zeroCounters(): CrCounters {
  return Object.fromEntries(CR_COUNTERS.map((c) => [c, 0])) as CrCounters;
}

// What one bot comment contributes, as stored on its row.
export interface CommentState {
  counted: boolean; // exists and is not deleted
  priority: Priority | null;
  up: number;
  down: number;
  other: number;
  replies: number;
}

export function contribution(s: CommentState): CrCounters {
  const c = zeroCounters();
  if (!s.counted) return c;
  const reactions = s.up + s.down + s.other;
  c.comments = 1;
  if (s.priority === null) c.unprioritized = 1;
  else c[`p${s.priority}`] = 1;
  c.replies = s.replies;
  c.reactions = reactions;
  c.upvotes = s.up;
  c.downvotes = s.down;
  c.other_reactions = s.other;
  c.engaged = reactions + s.replies > 0 ? 1 : 0;
  c.reacted = reactions > 0 ? 1 : 0;
  c.upvoted = s.up > 0 ? 1 : 0;
  c.downvoted = s.down > 0 ? 1 : 0;
  c.reacted_other = s.other > 0 ? 1 : 0;
  c.replied = s.replies > 0 ? 1 : 0;
  return c;
}

// contribution(next) - contribution(prev); null when nothing changes.
export function contributionDelta(prev: CommentState, next: CommentState): CrCounters | null {
  const a = contribution(prev);
  const b = contribution(next);
  let changed = false;
  const d = zeroCounters();
  for (const k of CR_COUNTERS) {
    d[k] = b[k] - a[k];
    if (d[k] !== 0) changed = true;
  }
  return changed ? d : null;
}

export function sameState(a: CommentState, b: CommentState): boolean {
  return (
    a.counted === b.counted &&
    a.priority === b.priority &&
    a.up === b.up &&
    a.down === b.down &&
    a.other === b.other &&
    a.replies === b.replies
  );
}
