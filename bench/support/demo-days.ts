// The setup both `steward demo` stage benches share: a store with the demo's people, teams and keys
// (runDemo with one day, today), the shared collector's principal and ingest context the demo's bulk
// days are prepared with, and the spec of the older days to make (index `days` would be today).
import os from 'node:os';
import { runDemo } from '../../src/app/demo/demo.service.js';
import { demoPeople } from '../../src/app/demo/demo-people.js';
import { cliActor } from '../../src/cli/shared.js';
import { loadConfig } from '../../src/config/load.js';
import type { DialectName } from '../../src/platform/storage/database.js';
import { benchStore } from './stores.js';

export async function demoDays(dialect: DialectName, name: string, users: number, days: number) {
  const store = await benchStore(dialect, name);
  const config = loadConfig({ env: {} });
  const now = Date.now();
  const s = await runDemo(store, config, { users, days: 1, seed: 1, now, archiveDays: 0 }, cliActor());
  const emails = new Map(
    (await store.db.selectFrom('users').select(['id', 'email']).execute()).map((u) => [u.email, u.id]),
  );
  const key = await store.db
    .selectFrom('api_keys')
    .select('id')
    .where('shared_collector', '=', 1)
    .executeTakeFirstOrThrow();
  const principal = { workspaceId: s.workspaceId, userId: '', keyId: key.id, sharedCollector: true };
  const ingest = { source: 'otlp' as const, hostName: 'otel-collector.demo', creditsPerUsd: 25, emails };
  const spec = { users, days: days + 1, seed: 1, now };
  return { store, principal, ingest, spec, people: demoPeople(spec).people };
}

/** This process's CPU so far, ms (user + system). */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
}
