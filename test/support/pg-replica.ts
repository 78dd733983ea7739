// A PostgreSQL primary and its streaming replica on free loopback ports, made with the machine's
// PostgreSQL 15 binaries in a temp directory: initdb, then `pg_basebackup -R` (standby.signal and
// primary_conninfo), both started with pg_ctl as the postgres OS user (runuser when we are root).
// Its own primary, not the machine's server: a base backup of that copies every database on it
// (2 GB here, growing with every suite), and its pg_hba.conf has no replication entry, so using it
// would mean changing the server's configuration. Imports nothing from src/.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = process.env.STEWARD_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface ReplicaPair {
  primaryUrl: string;
  replicaUrl: string;
  /** Stops the replica's server (fast shutdown: its sessions are told and closed), the primary goes on. */
  stopReplica(): Promise<void>;
  /** Starts it again on the same port; it resumes streaming from where it stopped. */
  startReplica(): Promise<void>;
  stop(): Promise<void>;
}

/** A loopback port that was free a moment ago (nothing listens on it once this resolves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Why a pair cannot be made here, or null. */
export function replicaUnavailable(): string | null {
  for (const b of ['initdb', 'pg_ctl', 'pg_basebackup'])
    if (!fs.existsSync(path.join(BIN, b))) return `${path.join(BIN, b)} not found (PostgreSQL 15 server binaries)`;
  const uid = process.getuid?.();
  if (uid !== 0 && os.userInfo().username !== 'postgres')
    return 'the PostgreSQL binaries refuse root and need the postgres user: run as root (runuser) or as postgres';
  return null;
}

export async function startReplicaPair(): Promise<ReplicaPair> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-pg-replica-'));
  const asPostgres = (cmd: string, args: string[]) =>
    process.getuid?.() === 0
      ? run('runuser', ['-u', 'postgres', '--', path.join(BIN, cmd), ...args], { cwd: root })
      : run(path.join(BIN, cmd), args, { cwd: root });
  if (process.getuid?.() === 0) fs.chownSync(root, ...postgresIds());
  const primary = path.join(root, 'primary');
  const replica = path.join(root, 'replica');
  const [p1, p2] = [await freePort(), await freePort()];
  // Durability is not under test: fsync off keeps the pair's start to a few seconds.
  const server = (port: number) =>
    `-p ${port} -c listen_addresses=127.0.0.1 -k ${root} -c fsync=off -c shared_buffers=16MB -c max_connections=40`;
  const started: string[] = [];
  const stop = async () => {
    for (const d of started.reverse())
      await asPostgres('pg_ctl', ['-D', d, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  };
  try {
    await asPostgres('initdb', ['-D', primary, '-A', 'trust', '-U', 'postgres', '--no-sync', '--no-instructions']);
    await asPostgres('pg_ctl', ['-D', primary, '-o', server(p1), '-l', `${primary}.log`, '-w', 'start']);
    started.push(primary);
    await asPostgres('pg_basebackup', ['-h', '127.0.0.1', '-p', String(p1), '-U', 'postgres', '-D', replica, '-R']);
    await asPostgres('pg_ctl', ['-D', replica, '-o', server(p2), '-l', `${replica}.log`, '-w', 'start']);
    started.push(replica);
  } catch (e) {
    const logs = [primary, replica]
      .map((d) => `${d}.log`)
      .filter((f) => fs.existsSync(f))
      .map((f) => fs.readFileSync(f, 'utf8').slice(-2000));
    await stop();
    throw new Error(`could not start a PostgreSQL primary and replica: ${(e as Error).message}\n${logs.join('\n')}`);
  }
  return {
    primaryUrl: `postgres://postgres@127.0.0.1:${p1}/postgres`,
    replicaUrl: `postgres://postgres@127.0.0.1:${p2}/postgres`,
    stopReplica: async () => {
      await asPostgres('pg_ctl', ['-D', replica, '-m', 'fast', '-w', 'stop']);
    },
    startReplica: async () => {
      await asPostgres('pg_ctl', ['-D', replica, '-o', server(p2), '-l', `${replica}.log`, '-w', 'start']);
    },
    stop,
  };
}

function postgresIds(): [number, number] {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres user in /etc/passwd');
  const [, , uid, gid] = line.split(':');
  return [Number(uid), Number(gid)];
}
