// `steward compliance …`: verify the chain (in the store, or an exported file), export records,
// sign checkpoints, make a signing key. Holds, retention, policy and sinks: compliance-governance.command.ts.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import type { Command } from 'commander';
import { isEventType, type Checkpoint, type ComplianceEventType } from '../core/compliance.js';
import { validationError } from '../core/errors.js';
import { parseTime } from '../core/query-params.js';
import { checkpointNow, configuredSigningKey, generateSigningKey, trustedPublicKeys } from '../compliance/index.js';
import { auditExport, exportChunks, mergedExportChunks } from '../compliance/index.js';
import { verifyChain, verifyExportStream, type CheckpointKey } from '../compliance/index.js';
import { REINDEX_COMMAND, reindexLogs } from '../compliance/index.js';
import { describeDifference } from '../core/log-index.js';
import { GZIP_BLOCK_BYTES, gzipChunks } from '../platform/workers/parallel-gzip.js';
import { complianceGovernanceCommands } from './compliance-governance.command.js';
import { EXIT_VERIFY_FAILED, withWorkspace, workspaceOf, type WsFlags } from './compliance-options.js';
import { cliActor, print, withStore } from './shared.js';
const collect = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

function eventTypes(raw: string[] | undefined): ComplianceEventType[] | undefined {
  if (!raw?.length) return undefined;
  for (const t of raw)
    if (!isEventType(t))
      throw validationError('type', `unknown event type ${t} (CODEX_LOG, CODEX_SECURITY_LOG, AUDIT_LOG, AUTH_LOG)`);
  return raw as ComplianceEventType[];
}

const readCheckpoint = (file: string): Checkpoint => JSON.parse(fs.readFileSync(file, 'utf8')) as Checkpoint;

// One line per signing key: which checkpoints it signed and whether it is trusted (after a rotation,
// the old key's and the new key's).
const keyLines = (keys: CheckpointKey[]) =>
  keys
    .map((k) => {
      const seqs = k.seqs.length > 10 ? `${k.seqs.slice(0, 5).join(', ')}, … ${k.seqs.at(-1)}` : k.seqs.join(', ');
      const trust = k.trusted ? 'trusted' : 'NOT TRUSTED';
      return `\ncheckpoints signed by key ${k.key_id} (${trust}): ${k.checkpoints} (seq ${seqs})`;
    })
    .join('');

const CHECKPOINT_FAILED = 'does not match them or is not signed by a trusted key';

function verifyText(r: {
  ok: boolean;
  records: number;
  content_removed_by_retention: number;
  first_bad: { seq: number; id: string | null; reason: string; detail: string } | null;
  problems: number;
}): string {
  if (r.ok)
    return `OK: ${r.records} records verified (${r.content_removed_by_retention} with content removed by retention)`;
  const b = r.first_bad;
  if (!b) return `FAILED: ${r.records} records verified, but the checkpoint ${CHECKPOINT_FAILED}`;
  const id = b.id ? ` (id ${b.id})` : '';
  return (
    `FAILED: ${r.problems} problem(s) in ${r.records} records; ` +
    `first bad record: seq ${b.seq}${id}: ${b.reason}: ${b.detail}`
  );
}

export function complianceCommand(program: Command): void {
  const c = program
    .command('compliance')
    .description('the compliance archive: verify, export, checkpoints, holds, retention, policy, sinks');

  withWorkspace(
    c
      .command('verify')
      .description('recompute the hash chain and name the first record that does not match (exit 5 if any)'),
  )
    .option('--file <jsonl>', 'verify an exported file (.jsonl or .jsonl.gz, every event type) instead of the store')
    .option('--checkpoint <file>', 'also check a signed checkpoint (JSON) against the chain')
    .option(
      '--public-key <base64>',
      'trust checkpoints signed by this Ed25519 public key (SPKI, base64); repeat for old and new key after a rotation',
      collect,
    )
    .action(async (flags: WsFlags & { file?: string; checkpoint?: string; publicKey?: string[] }) => {
      const checkpoint = flags.checkpoint ? readCheckpoint(flags.checkpoint) : undefined;
      if (flags.file) {
        let input: Readable = fs.createReadStream(flags.file);
        if (flags.file.endsWith('.gz')) input = input.pipe(zlib.createGunzip());
        const r = await verifyExportStream(input, checkpoint, flags.publicKey ?? []);
        const match = r.checkpoint_ok ? '; checkpoint matches' : '; CHECKPOINT DOES NOT MATCH';
        const cp = r.checkpoint_ok === null ? '' : `${match} (key ${r.checkpoint_key_id})`;
        print(flags, r, () => verifyText(r) + cp);
        if (!r.ok) process.exitCode = EXIT_VERIFY_FAILED;
        return;
      }
      await withStore(flags, async (store, config) => {
        const ws = await workspaceOf(store.db, flags);
        const publicKeys = trustedPublicKeys(config, flags.publicKey);
        const r = await verifyChain(store.db, ws, { checkpoints: checkpoint ? [checkpoint] : [], publicKeys, store });
        // The head and the newest signed checkpoint, for an outside witness to compare with its own.
        const cp = r.newest_checkpoint;
        const heads =
          `\nhead: ${r.head ? `seq ${r.head.seq} ${r.head.hash}` : 'none'}` +
          `\nnewest checkpoint: ${cp ? `seq ${cp.seq} ${cp.hash} signed ${cp.signed_at} by key ${cp.key_id}` : 'none'}`;
        // The index problem is named even when an earlier record's problem is the first bad one.
        const ix = r.log_index;
        const index =
          ix.ok || r.first_bad?.reason === 'log_index_mismatch'
            ? ''
            : `\nlog-file index: ${ix.differing} row(s) differ from the chain (rebuild: ${REINDEX_COMMAND})`;
        const cps = r.checkpoints_checked ? ` (${r.checkpoints_checked} checkpoint(s) checked)` : '';
        print(flags, r, () => `workspace ${ws}: ${verifyText(r)}${cps}${index}${heads}${keyLines(r.checkpoint_keys)}`);
        if (!r.ok) process.exitCode = EXIT_VERIFY_FAILED;
      });
    });

  const reindex = c
    .command('reindex')
    .description('rebuild the log-file index (Logs API listings) from the chain, audited');
  withWorkspace(reindex).action(async (flags: WsFlags) =>
    withStore(flags, async ({ db }) => {
      const ws = await workspaceOf(db, flags);
      const r = await reindexLogs(db, ws, cliActor());
      const counts = `${r.added} added, ${r.corrected} corrected, ${r.removed} removed`;
      const changed = `${r.changed} of ${r.rows} row(s) changed (${counts})`;
      const lines = [
        `Rebuilt the log-file index of workspace ${ws} from the chain up to seq ${r.head_seq}: ${changed}`,
      ];
      lines.push(...r.differences.map((d) => `  ${describeDifference(d)}`));
      if (r.changed > r.differences.length) lines.push(`  … and ${r.changed - r.differences.length} more`);
      print(flags, r, () => lines.join('\n'));
    }),
  );

  withWorkspace(
    c
      .command('export')
      .description('write records as JSONL (gzip with --gzip or a .gz name), in chain order, constant memory'),
  )
    .requiredOption('--out <file>', 'output file ("-" for stdout)')
    .option('--since <time>', 'event time from (inclusive), ISO 8601 or Unix seconds')
    .option('--until <time>', 'event time until (exclusive)')
    .option('--type <type>', 'event type(s), repeatable or comma-separated (default: all)', collect)
    .option('--gzip', 'gzip the output')
    .option(
      '--view <view>',
      'records (the chain, verifiable) or merged (each fact of two sources as one line)',
      'records',
    )
    .action(
      async (
        flags: WsFlags & { out: string; since?: string; until?: string; type?: string[]; gzip?: boolean; view: string },
      ) =>
        withStore(flags, async ({ db }) => {
          if (flags.view !== 'records' && flags.view !== 'merged')
            throw validationError('view', "must be 'records' or 'merged'");
          const ws = await workspaceOf(db, flags);
          const filter = {
            since: parseTime('since', flags.since),
            until: parseTime('until', flags.until),
            types: eventTypes(flags.type),
          };
          const gzip = flags.gzip || flags.out.endsWith('.gz');
          await auditExport(db, ws, cliActor(), {
            out: flags.out === '-' ? 'stdout' : flags.out,
            since: flags.since ?? null,
            until: flags.until ?? null,
            types: filter.types ?? null,
            view: flags.view,
            via: 'cli',
          });
          const counter = { records: 0 };
          const t0 = performance.now();
          const progress = !flags.json && process.stderr.isTTY && flags.out !== '-';
          const tick = setInterval(() => progress && process.stderr.write(`\r${counter.records} records…`), 500);
          // One chunk (256 KB) in flight at a time (a few 1 MB blocks per core with gzip): memory
          // stays flat whatever the export's size.
          const chunks = flags.view === 'merged' ? mergedExportChunks : exportChunks;
          const source = Readable.from(
            gzip
              ? gzipChunks(chunks(db, ws, filter, counter, GZIP_BLOCK_BYTES), { level: 3 })
              : chunks(db, ws, filter, counter),
            { highWaterMark: 1 },
          );
          const sink = flags.out === '-' ? process.stdout : fs.createWriteStream(flags.out);
          const opts = { end: flags.out !== '-' };
          try {
            await pipeline(source, sink, opts);
          } finally {
            clearInterval(tick);
            if (progress) process.stderr.write('\r');
          }
          const secs = (performance.now() - t0) / 1000;
          if (flags.out !== '-')
            print(
              flags,
              { workspace_id: ws, out: flags.out, records: counter.records, gzip, seconds: +secs.toFixed(3) },
              () => `Exported ${counter.records} records to ${flags.out} in ${secs.toFixed(1)} s`,
            );
        }),
    );

  withWorkspace(
    c
      .command('checkpoint')
      .description(
        'sign the chain head with [compliance] signing_key and store it (--out writes it for a third party)',
      ),
  )
    .option('--out <file>', 'also write the signed checkpoint (JSON) to this file')
    .action(async (flags: WsFlags & { out?: string }) =>
      withStore(flags, async ({ db }, config) => {
        const ws = await workspaceOf(db, flags);
        const cp = await checkpointNow(db, ws, configuredSigningKey(config), true);
        if (flags.out) fs.writeFileSync(flags.out, JSON.stringify(cp, null, 2) + '\n');
        print(
          flags,
          cp,
          () =>
            `Checkpoint of workspace ${ws} at seq ${cp.seq}: ${cp.hash} (key ${cp.key_id})` +
            (flags.out ? `, written to ${flags.out}` : ''),
        );
      }),
    );

  c.command('keygen')
    .description('print a new Ed25519 signing key for [compliance] signing_key, and its public key for verifiers')
    .option('--json', 'machine-readable output')
    .action((flags: { json?: boolean }) => {
      const k = generateSigningKey();
      print(flags, { private_key_pem: k.privateKeyPem, public_key: k.publicKey, key_id: k.keyId }, () =>
        [
          `# steward.toml`,
          `[compliance]`,
          `signing_key = """`,
          k.privateKeyPem.trim(),
          `"""`,
          '',
          `# public key (give to verifiers): ${k.publicKey}`,
          `# key id: ${k.keyId}`,
        ].join('\n'),
      );
    });

  complianceGovernanceCommands(c);
}
