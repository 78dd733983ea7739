// `steward compliance hold|release|holds|retention run|policy|sinks`: the same use-cases as the
// API, audited as the operating-system account that ran them.
import type { Command } from 'commander';
import { validationError } from '../core/errors.js';
import { parseTime } from '../core/query-params.js';
import { contentPolicyFor, updateContentPolicy } from '../compliance/index.js';
import {
  holdViews,
  placeHold,
  releaseHold,
  retentionDaysOf,
  runRetention,
  type HoldView,
} from '../compliance/index.js';
import { sinkStatus } from '../compliance/index.js';
import { withWorkspace, workspaceOf, type WsFlags } from './compliance-options.js';
import { cliActor, print, withStore } from './shared.js';
import { listTable } from './list-table.js';
import { workspaceUsers } from '../access/index.js';

const holdLine = (h: HoldView) => {
  const scope = [
    h.user_id && `user ${h.user_id}`,
    h.thread_id && `thread ${h.thread_id}`,
    (h.start_time || h.end_time) && `${h.start_time ?? '…'} → ${h.end_time ?? '…'}`,
  ];
  const reason = h.reason ? `  "${h.reason}"` : '';
  return `${h.id}  ${h.active ? 'active  ' : 'released'}  ${scope.filter(Boolean).join(', ')}${reason}`;
};

// --set prompt=hash --set allowed_sandbox_policies=read-only,workspace-write --set dlp_redact=false
// --set dlp_terms=project-falcon,acme-corp (none: empty)
function policyPatch(sets: string[]): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const s of sets) {
    const i = s.indexOf('=');
    if (i < 1) throw new Error(`--set expects key=value, got "${s}"`);
    const k = s.slice(0, i);
    const v = s.slice(i + 1);
    if (k === 'dlp_terms') {
      patch[k] =
        v === 'none'
          ? []
          : v
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean);
      continue;
    }
    patch[k] = k.startsWith('allowed_')
      ? v === 'any' || v === ''
        ? null
        : v
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
      : v === 'true'
        ? true
        : v === 'false'
          ? false
          : v;
  }
  return patch;
}

export function complianceGovernanceCommands(c: Command): void {
  withWorkspace(
    c
      .command('hold')
      .description('place a legal hold: records of the user / thread / time range keep their content until released'),
  )
    .option('--user <email|id>', "hold a user's records")
    .option('--thread <id>', 'hold a thread (Codex conversation id)')
    .option('--from <time>', 'event time from (ISO 8601 or Unix seconds)')
    .option('--to <time>', 'event time until (exclusive)')
    .option('--reason <text>', 'why (e.g. the matter number)')
    .action(async (flags: WsFlags & { user?: string; thread?: string; from?: string; to?: string; reason?: string }) =>
      withStore(flags, async ({ db }) => {
        const ws = await workspaceOf(db, flags);
        const from = parseTime('--from', flags.from);
        const to = parseTime('--to', flags.to);
        // The service speaks the API's names (start_time, end_time); here the user typed flags.
        if (flags.user === undefined && flags.thread === undefined && from === undefined && to === undefined)
          throw validationError('hold', 'name --user, --thread, or a time range (--from and/or --to)', 'body');
        if (from !== undefined && to !== undefined && to <= from)
          throw validationError('--to', 'must be after --from', 'body', 'value_error.range');
        const h = await placeHold(
          db,
          ws,
          { user: flags.user, threadId: flags.thread, from, to, reason: flags.reason },
          cliActor(),
        );
        print(flags, h, () => `Placed hold ${holdLine(h)}`);
      }),
    );

  withWorkspace(c.command('release <hold_id>').description('lift a legal hold')).action(
    async (id: string, flags: WsFlags) =>
      withStore(flags, async ({ db }) => {
        const h = await releaseHold(db, await workspaceOf(db, flags), id, cliActor());
        print(flags, h, () => `Released hold ${h.id}`);
      }),
  );

  withWorkspace(c.command('holds').description('list legal holds'))
    .option('--active', 'only active holds')
    .action(async (flags: WsFlags & { active?: boolean }) =>
      withStore(flags, async ({ db }) => {
        const ws = await workspaceOf(db, flags);
        const rows = await holdViews(db, ws, !!flags.active);
        const emails = new Map((await workspaceUsers(db, ws)).map((u) => [u.id, u.email]));
        const email = (id: string | null) => (id ? (emails.get(id) ?? null) : null);
        print(
          flags,
          rows.map((h) => ({ ...h, user_email: email(h.user_id) })),
          () =>
            rows.length
              ? listTable(
                  ['ID', 'STATUS', 'USER', 'THREAD', 'FROM', 'TO', 'REASON', 'PLACED BY'],
                  rows.map((h) => [
                    h.id,
                    h.active ? 'active' : 'released',
                    h.user_id ? (email(h.user_id) ?? h.user_id) : null,
                    h.thread_id,
                    h.start_time,
                    h.end_time,
                    h.reason || null,
                    h.created_by,
                  ]),
                )
              : 'No holds.',
        );
      }),
    );

  const retention = c
    .command('retention')
    .description('retention of record content per event type ([compliance.retention] in steward.toml)');
  withWorkspace(
    retention
      .command('run')
      .description('remove content past retention now (held records keep it; hashes always stay)'),
  ).action(async (flags: WsFlags) =>
    withStore(flags, async ({ db }, config) => {
      const r = await runRetention(
        db,
        await workspaceOf(db, flags),
        retentionDaysOf(config.compliance.retention),
        cliActor(),
      );
      print(
        flags,
        r,
        () =>
          `Retention run ${r.run_id}: ${Object.entries(r.purged)
            .map(([t, n]) => `${t} ${n}`)
            .join(', ')} record(s) lost their content; ` + `${r.active_holds} active hold(s) respected`,
      );
    }),
  );

  withWorkspace(
    c
      .command('policy')
      .description(
        'show or change the content policy ' +
          '(store|hash|redact per field, DLP redaction, allowed sandbox/approval modes)',
      ),
  )
    .option(
      '--set <key=value>',
      'prompt|response|tool_arguments|tool_output=store|hash|redact, dlp_redact=true|false, dlp_terms=a,b|none, ' +
        'allowed_sandbox_policies|allowed_approval_policies=a,b|any (repeatable)',
      (v: string, p: string[] = []) => [...p, v],
    )
    .action(async (flags: WsFlags & { set?: string[] }) =>
      withStore(flags, async ({ db }) => {
        const ws = await workspaceOf(db, flags);
        const p = flags.set?.length
          ? await updateContentPolicy(db, ws, policyPatch(flags.set), cliActor())
          : await contentPolicyFor(db, ws);
        print(flags, p, () =>
          Object.entries(p)
            .map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(',') : v === null ? 'any' : v}`)
            .join('\n'),
        );
      }),
    );

  withWorkspace(c.command('sinks').description('SIEM sinks: cursor, lag, delivered, dead letters, last error')).action(
    async (flags: WsFlags) =>
      withStore(flags, async ({ db }, config) => {
        const rows = await sinkStatus(db, await workspaceOf(db, flags), config.compliance.sinks);
        print(
          flags,
          rows,
          () =>
            rows
              .map(
                (s) =>
                  `${s.name} (${s.type})  cursor ${s.cursor_seq}/${s.head_seq}  lag ${s.lag}  ` +
                  `delivered ${s.delivered}  dead letters ${s.dead_letters}` +
                  (s.last_error ? `  last error: ${s.last_error}` : ''),
              )
              .join('\n') || 'No sinks configured ([[compliance.sinks]] in steward.toml).',
        );
      }),
  );
}
