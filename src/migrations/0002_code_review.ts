import { sql, type Kysely } from 'kysely';
import { CR_COUNTERS } from '../core/code-review.js';
import { clusteredByPrimaryKey } from '../platform/storage/dialect.js';

// Code review: per-fact tables (deliveries, reviews, bot comments, replies, reactions, pull requests)
// and rollups per (workspace, bucket) and (workspace, bucket, repository) for days and ISO weeks.
// A bot comment row also records the state it contributes to the rollups (counted, counted_priority,
// up/down/other/reply counts), so every change is applied to the rollups as a difference.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cr_deliveries')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('cr_deliveries_pk', ['workspace_id', 'delivery_id'])
    .execute();

  await db.schema
    .createTable('cr_reviews')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('review_key', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('repository', 'text', (c) => c.notNull())
    .addColumn('pr_number', 'text', (c) => c.notNull())
    .addColumn('author_login', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .addColumn('counted', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('cr_reviews_pk', ['workspace_id', 'review_key'])
    .execute();

  await db.schema
    .createTable('cr_comments')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('comment_key', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('comment_type', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('repository', 'text', (c) => c.notNull())
    .addColumn('pr_number', 'text', (c) => c.notNull())
    .addColumn('review_key', 'text')
    .addColumn('thread_key', 'text')
    .addColumn('author_login', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('priority', 'integer') // from the latest body; null = unprioritized
    .addColumn('deleted_at', 'bigint')
    // The state as counted in the rollups.
    .addColumn('counted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('counted_priority', 'integer')
    .addColumn('up_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('down_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('other_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reply_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lock_seq', 'integer', (c) => c.notNull().defaultTo(0))
    // Reaction polling (GitHub).
    .addColumn('reactions_etag', 'text')
    .addColumn('polled_at', 'bigint')
    .addColumn('next_poll_at', 'bigint')
    .addPrimaryKeyConstraint('cr_comments_pk', ['workspace_id', 'comment_key'])
    .execute();
  await db.schema.createIndex('cr_comments_thread').on('cr_comments').columns(['workspace_id', 'thread_key']).execute();
  await db.schema.createIndex('cr_comments_poll').on('cr_comments').columns(['host', 'next_poll_at']).execute();

  await db.schema
    .createTable('cr_replies')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('reply_key', 'text', (c) => c.notNull())
    .addColumn('parent_key', 'text')
    .addColumn('author_login', 'text')
    .addColumn('author_email', 'text')
    .addColumn('user_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .addPrimaryKeyConstraint('cr_replies_pk', ['workspace_id', 'reply_key'])
    .execute();
  await db.schema.createIndex('cr_replies_parent').on('cr_replies').columns(['workspace_id', 'parent_key']).execute();
  await db.schema
    .createIndex('cr_replies_user')
    .on('cr_replies')
    .columns(['workspace_id', 'user_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('cr_reactions')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('comment_key', 'text', (c) => c.notNull())
    .addColumn('reaction_key', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('class', 'text', (c) => c.notNull())
    .addColumn('user_login', 'text')
    .addColumn('user_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('cr_reactions_pk', ['workspace_id', 'comment_key', 'reaction_key'])
    .execute();
  await db.schema
    .createIndex('cr_reactions_user')
    .on('cr_reactions')
    .columns(['workspace_id', 'user_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('cr_pull_requests')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('pr_key', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('repository', 'text', (c) => c.notNull())
    .addColumn('pr_number', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('merged_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('cr_pull_requests_pk', ['workspace_id', 'pr_key'])
    .execute();

  const counters = (t: ReturnType<Kysely<unknown>['schema']['createTable']>) =>
    CR_COUNTERS.reduce((acc, col) => acc.addColumn(col, 'bigint', (c) => c.notNull().defaultTo(0)), t);
  for (const grain of ['day', 'week']) {
    await clusteredByPrimaryKey(db, counters(db.schema.createTable(`cr_ws_${grain}`)))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('bucket', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint(`cr_ws_${grain}_pk`, ['workspace_id', 'bucket'])
      .execute();
    await clusteredByPrimaryKey(db, counters(db.schema.createTable(`cr_repo_${grain}`)))
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('bucket', 'integer', (c) => c.notNull())
      .addColumn('repository', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`cr_repo_${grain}_pk`, ['workspace_id', 'bucket', 'repository'])
      .execute();
  }

  // GitHub logins are case-insensitive: map replies and reactions to users by lower(login).
  await sql`create index users_ws_github_login on users (workspace_id, lower(github_login))`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Steward migrations are forward-only');
}
