// Table types for code review (migration 0002_code_review). Times are epoch ms, `day` days since epoch.
import type { CrCounters } from '../core/code-review.js';

export interface CrDeliveryTable {
  workspace_id: string;
  delivery_id: string;
  event: string;
  received_at: number;
}

export interface CrReviewTable {
  workspace_id: string;
  review_key: string;
  host: string;
  repository: string;
  pr_number: string;
  author_login: string | null;
  created_at: number;
  day: number;
  deleted_at: number | null;
  counted: number; // 0/1: counted in pull_request_reviews
}

export interface CrCommentTable {
  workspace_id: string;
  comment_key: string;
  host: string;
  comment_type: string; // inline | issue | general
  external_id: string;
  repository: string;
  pr_number: string;
  review_key: string | null;
  thread_key: string | null;
  author_login: string | null;
  created_at: number;
  updated_at: number;
  day: number;
  priority: number | null;
  deleted_at: number | null;
  counted: number;
  counted_priority: number | null;
  up_count: number;
  down_count: number;
  other_count: number;
  reply_count: number;
  lock_seq: number;
  reactions_etag: string | null;
  polled_at: number | null;
  next_poll_at: number | null;
}

export interface CrReplyTable {
  workspace_id: string;
  reply_key: string;
  parent_key: string | null;
  author_login: string | null;
  author_email: string | null;
  user_id: string | null;
  created_at: number;
  deleted_at: number | null;
}

export interface CrReactionTable {
  workspace_id: string;
  comment_key: string;
  reaction_key: string;
  content: string;
  class: string; // up | down | other
  user_login: string | null;
  user_id: string | null;
  created_at: number;
}

export interface CrPullRequestTable {
  workspace_id: string;
  pr_key: string;
  host: string;
  repository: string;
  pr_number: string;
  state: string;
  opened_at: number | null;
  closed_at: number | null;
  merged_at: number | null;
  updated_at: number;
}

export interface CrWsBucketTable extends CrCounters {
  workspace_id: string;
  bucket: number;
}
export interface CrRepoBucketTable extends CrWsBucketTable {
  repository: string;
}

export interface CodeReviewTables {
  cr_deliveries: CrDeliveryTable;
  cr_reviews: CrReviewTable;
  cr_comments: CrCommentTable;
  cr_replies: CrReplyTable;
  cr_reactions: CrReactionTable;
  cr_pull_requests: CrPullRequestTable;
  cr_ws_day: CrWsBucketTable;
  cr_ws_week: CrWsBucketTable;
  cr_repo_day: CrRepoBucketTable;
  cr_repo_week: CrRepoBucketTable;
}
