import type { Migration } from 'kysely';
import * as m0001 from './0001_core.js';
import * as m0002 from './0002_code_review.js';
import * as m0003 from './0003_compliance.js';
import * as m0004 from './0004_rollout_import.js';
import * as m0005 from './0005_facts_without_content.js';
import * as m0006 from './0006_reconcile_by_thread.js';
import * as m0007 from './0007_drop_unread_record_index.js';
import * as m0010 from './0010_chained_removals.js';
import * as m0012 from './0012_thread_scoped_response_keys.js';
import * as m0014 from './0014_user_removal.js';
import * as m0015 from './0015_accounts.js';
import * as m0017 from './0017_codex_events.js';
import * as m0019 from './0019_teams_and_service_identities.js';
import * as m0022 from './0022_tool_event_source.js';
import * as m0023 from './0023_oidc_flows.js';
import * as m0024 from './0024_session_items_in_chain.js';
import * as m0025 from './0025_skill_rollups.js';
import * as m0031 from './0031_person_reads.js';
import * as m0032 from './0032_user_activity.js';
import * as m0033 from './0033_tool_rollups.js';
import * as m0035 from './0035_compliance_search_index.js';
import * as m0037 from './0037_job_runs.js';
import * as m0038 from './0038_title_thread_kind.js';
import * as m0039 from './0039_trailing_windows.js';
import * as m0040 from './0040_content_partitions.js';
import * as m0041 from './0041_active_user_counts.js';
import * as m0042 from './0042_search_index_partitions.js';
import * as m0043 from './0043_person_windows.js';
import * as m0045 from './0045_source_freshness.js';
import * as m0046 from './0046_job_leases.js';
import * as m0047 from './0047_window_scope_indexes.js';
import * as m0049 from './0049_window_active_counts.js';

// Every migration, in order. A new issue adds its file here; both dialects run the same set.
export const MIGRATIONS: Record<string, Migration> = {
  '0001_core': m0001,
  '0002_code_review': m0002,
  '0003_compliance': m0003,
  '0004_rollout_import': m0004,
  '0005_facts_without_content': m0005,
  '0006_reconcile_by_thread': m0006,
  '0007_drop_unread_record_index': m0007,
  '0010_chained_removals': m0010,
  '0012_thread_scoped_response_keys': m0012,
  '0014_user_removal': m0014,
  '0015_accounts': m0015,
  '0017_codex_events': m0017,
  '0019_teams_and_service_identities': m0019,
  '0022_tool_event_source': m0022,
  '0023_oidc_flows': m0023,
  '0024_session_items_in_chain': m0024,
  '0025_skill_rollups': m0025,
  '0031_person_reads': m0031,
  '0032_user_activity': m0032,
  '0033_tool_rollups': m0033,
  '0035_compliance_search_index': m0035,
  '0037_job_runs': m0037,
  '0038_title_thread_kind': m0038,
  '0039_trailing_windows': m0039,
  '0040_content_partitions': m0040,
  '0041_active_user_counts': m0041,
  '0042_search_index_partitions': m0042,
  '0043_person_windows': m0043,
  '0045_source_freshness': m0045,
  '0046_job_leases': m0046,
  '0047_window_scope_indexes': m0047,
  '0049_window_active_counts': m0049,
};
