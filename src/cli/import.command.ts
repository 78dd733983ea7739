import fs from 'node:fs';
import type { Command } from 'commander';
import { StewardError } from '../core/errors.js';
import type { Config } from '../config/schema.js';
import { localOwner, type LocalOwner } from '../session-files/index.js';
import { importRollouts, type ImportSummary } from '../session-files/index.js';
import type { Store } from '../platform/storage/database.js';
import { createRuntime } from '../app/runtime.js';
import { importProgressBar } from './progress.js';
import {
  noFilesNote,
  personalStoreDefaults,
  sessionEnv,
  withSessionOptions,
  type SessionFlags,
} from './session-options.js';
import { cliActor, print, withStore, withStoreOptions, type StoreFlags } from './shared.js';

export type ImportFlags = StoreFlags & SessionFlags & { threads?: string };

/** Imports PATHs (default: the Codex sessions folder) for the local user; shared with `report`. */
export async function runImport(
  store: Store,
  config: Config,
  flags: ImportFlags,
  paths: string[],
  progress: boolean,
): Promise<{ summary: ImportSummary; owner: LocalOwner; paths: string[] }> {
  const { env, email, idleFinalMs } = sessionEnv(flags);
  const owner = await localOwner(store.db, email, cliActor());
  const roots = paths.length ? paths : [env.sessionsDir];
  // A path given by name must exist (a typo is not an empty import); the default folder may not yet.
  const missing = paths.find((p) => !fs.existsSync(p));
  if (missing) throw new StewardError('validation', `no such file or folder: ${missing}`);
  const threads = flags.threads === undefined ? undefined : Number(flags.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 0 && threads <= 64))
    throw new StewardError('validation', '--threads must be a whole number from 0 to 64');
  const bar = importProgressBar(progress && Boolean(process.stderr.isTTY));
  try {
    const summary = await importRollouts(createRuntime(store).ingest, {
      paths: roots,
      principal: owner.principal,
      hostName: env.hostName,
      creditsPerUsd: config.pricing.credits_per_usd,
      idleFinalMs,
      threads,
      onProgress: bar.update,
    });
    return { summary, owner, paths: roots };
  } finally {
    bar.stop();
  }
}

const n = (x: number) => x.toLocaleString('en-US');

export function summaryText(s: ImportSummary, owner: LocalOwner): string {
  const lines = [
    `Imported ${n(s.files.read)} of ${n(s.files.found)} session files (${n(s.files.unchanged)} unchanged` +
      (s.files.reset ? `, ${n(s.files.reset)} re-read from the start` : '') +
      (s.files.failed ? `, ${n(s.files.failed)} failed` : '') +
      `) in ${(s.durationMs / 1000).toFixed(2)} s for ${owner.user.email}`,
    `  ${n(s.lines)} lines (${(s.bytes / 1e6).toFixed(1)} MB), ${n(s.threads)} threads, ${n(s.turns)} turns, ` +
      `${n(s.responses)} model responses, ${n(s.toolCalls)} tool calls`,
    `  tokens: ${n(s.tokens.input)} input (${n(s.tokens.cached)} cached), ` +
      `${n(s.tokens.output)} output (${n(s.tokens.reasoning)} reasoning), ${n(s.tokens.total)} total`,
    `  stored: ${n(s.stored.threads)} new threads, ${n(s.stored.turns)} turns, ${n(s.stored.requests)} responses, ` +
      `${n(s.stored.content)} content records; ${n(s.stored.duplicates)} already known`,
  ];
  if (s.skipped.total) {
    lines.push(
      `  skipped ${n(s.skipped.total)} bad lines: ${Object.entries(s.skipped.byReason)
        .map(([r, c]) => `${r} ${c}`)
        .join(', ')}`,
    );
    for (const l of s.skipped.lines.slice(0, 20))
      lines.push(
        `    ${l.file}:${l.line} (byte ${l.offset}, ${l.bytes} bytes): ${l.reason}${l.detail ? ` (${l.detail})` : ''}`,
      );
    if (s.skipped.lines.length > 20) lines.push(`    … ${s.skipped.total - 20} more (see --json)`);
  }
  if (s.unknown.total) {
    const types = Object.entries(s.unknown.byType).map(([t, c]) => `${t} ${c}`);
    lines.push(`  kept ${n(s.unknown.total)} lines of types Steward does not know yet: ${types.join(', ')}`);
  }
  if (s.trimmed.length) {
    lines.push(`  ${n(s.trimmed.length)} over-long lines read from their head only:`);
    for (const l of s.trimmed.slice(0, 10)) lines.push(`    ${l.file}:${l.line} (${n(l.bytes)} bytes)`);
  }
  if (s.errors.length) {
    lines.push(`  ${n(s.errors.length)} files could not be read:`);
    for (const e of s.errors.slice(0, 20)) lines.push(`    ${e.file}: ${e.message}`);
  }
  if (owner.ownerKey) lines.push('', `New store: owner key (shown once, store it now): ${owner.ownerKey.secret}`);
  return lines.join('\n');
}

export function importCommand(program: Command): void {
  withSessionOptions(
    withStoreOptions(
      program
        .command('import [paths...]')
        .description(
          'import Codex session files (default $CODEX_HOME/sessions) into the local store; incremental and idempotent',
        ),
      '$XDG_DATA_HOME/steward, else ~/.steward',
    ).option(
      '--threads <n>',
      'reader threads (0: read on the main thread; default one per core but one, above 32 MB to read)',
    ),
  ).action(async (paths: string[], flags: ImportFlags) =>
    withStore(
      flags,
      async (store, config) => {
        const { summary, owner, paths: roots } = await runImport(store, config, flags, paths, !flags.json);
        print(
          flags,
          {
            ...summary,
            paths: roots,
            workspace_id: owner.workspace.id,
            user: { id: owner.user.id, email: owner.user.email, created: owner.userCreated },
            owner_key: owner.ownerKey ?? null,
          },
          () =>
            (summary.files.found ? '' : `${noFilesNote(roots)}\n`) +
            `${summaryText(summary, owner)}\nStore: ${store.dialect} ${store.describe}`,
        );
        // Exit 1 when files could not be read; bad lines alone are reported, not failures.
        if (summary.files.failed) process.exitCode = 1;
      },
      personalStoreDefaults(),
    ),
  );
}
