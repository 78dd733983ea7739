import type { Command } from 'commander';
import { ensureSetupLink } from '../accounts/index.js';
import { runDemo } from '../app/demo/demo.service.js';
import { validationError } from '../core/errors.js';
import { SYSTEM } from '../compliance/index.js';
import {
  cliActor,
  configFrom,
  openConfiguredStore,
  print,
  storeFlags,
  withStoreOptions,
  type StoreFlags,
} from './shared.js';

interface DemoFlags extends StoreFlags {
  users: string;
  days: string;
  seed: string;
  workspace?: string;
  archiveDays: string;
  bulk: boolean;
  workers: string;
}

function count(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw validationError(name, `must be an integer from ${min} to ${max}`, 'query');
  return n;
}

export function demoCommand(program: Command): void {
  withStoreOptions(
    program
      .command('demo')
      .description('fill a workspace with realistic synthetic data (people, teams, Codex usage, code reviews)'),
  )
    .option('--users <n>', 'people in the workspace', '10000')
    .option('--days <n>', 'days of activity, up to today (at most the analytics lookback)', '90')
    .option('--seed <n>', 'the same seed makes the same data', '1')
    .option('--workspace <id>', 'workspace to fill (made if missing; default: the default workspace)')
    .option(
      '--archive-days <n>',
      'the last days whose events go through the ingest path to the compliance archive (older days: in bulk)',
      '3',
    )
    .option('--no-bulk', 'older days through the ingest path too (no archive; slower, the same figures)')
    .option('--workers <n>', 'threads that make the older days while this one writes them (0: this one)', '1')
    .action(async (flags: DemoFlags) => {
      const config = configFrom(flags);
      const days = count('days', flags.days, 1, config.analytics.lookback_days);
      const spec = {
        users: count('users', flags.users, 2, 100_000),
        days,
        seed: count('seed', flags.seed, 0, 2 ** 31 - 1),
        now: Date.now(),
        workspace: flags.workspace,
        archiveDays: count('archive-days', flags.archiveDays, 0, days),
        bulk: flags.bulk,
        workers: count('workers', flags.workers, 0, 8),
        progress: flags.json ? undefined : (line: string) => process.stderr.write(`${line}\n`),
      };
      const store = await openConfiguredStore(config);
      try {
        const s = await runDemo(store, config, spec, cliActor());
        const url = config.public_url ?? `http://${config.host}:${config.port}`;
        const base = { ...config.accounts, base: url };
        const setup = await ensureSetupLink(store.db, s.workspaceId, base, SYSTEM);
        const on = storeFlags(flags);
        const serve = `steward serve${on ? ` ${on}` : ''}`;
        const { owner, viewer, ...counts } = s;
        print(
          flags,
          { ...counts, owner: owner.email, viewer: viewer.email, setup_link: setup?.url ?? null, serve },
          () =>
            [
              `Demo data in workspace ${s.workspaceId}: ${s.users} users, ${s.teams} teams, ${s.keys} keys, ` +
                `${s.events} Codex events (${s.archivedEvents} archived), ${s.reviewEvents} code review events ` +
                `in ${s.seconds} s.`,
              '',
              `Run: ${serve}`,
              setup
                ? `Then set the owner's password (sign in as ${owner.email}; one use, until ` +
                  `${new Date(setup.expiresAt).toISOString()}): ${setup.url}`
                : `Then set the owner's password with: steward users passwd ${owner.email}${on ? ` ${on}` : ''}` +
                  ` and sign in at ${url}/sign-in.`,
              `A viewer to try: ${viewer.email} (steward users reset-link ${viewer.email}${on ? ` ${on}` : ''}).`,
            ].join('\n'),
        );
      } finally {
        await store.close();
      }
    });
}
