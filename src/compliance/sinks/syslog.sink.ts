// Syslog RFC 5424 over TCP (RFC 6587 octet-counting framing), TLS optional (RFC 5425). The record
// is the MSG (JSON); id, seq and workspace are also structured data so receivers can deduplicate.
// TCP has no application-level acknowledgement: a batch counts as delivered once the socket has
// taken it without error, and any connection error makes the forwarder resend the batch.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import type { SinkConfig } from '../../config/compliance.schema.js';
import type { ChainRecord } from '../../core/compliance.js';
import type { Sink } from './types.js';

type Cfg = Extract<SinkConfig, { type: 'syslog' }>;

const SEVERITY: Record<string, number> = { CODEX_SECURITY_LOG: 4, AUTH_LOG: 5, AUDIT_LOG: 5, CODEX_LOG: 6 };
const sdValue = (s: string) => s.replace(/["\\\]]/g, (c) => '\\' + c);
const header = (s: string, max: number) => s.replace(/[^\x21-\x7e]/g, '').slice(0, max) || '-';

export function syslogMessage(
  rec: ChainRecord,
  line: string,
  o: { facility: number; appName: string; hostname: string },
): string {
  const pri = o.facility * 8 + (SEVERITY[rec.event_type] ?? 6);
  const sd =
    `[steward@32473 id="${sdValue(rec.id)}" seq="${rec.seq}" ` +
    `workspace="${sdValue(rec.workspace_id)}" hash="${rec.hash}"]`;
  const head = `${header(o.hostname, 255)} ${header(o.appName, 48)} ${process.pid} ${header(rec.event_type, 32)}`;
  return `<${pri}>1 ${new Date(rec.ts).toISOString()} ${head} ${sd} ${line}`;
}

export function octetFrame(msg: string): string {
  return `${Buffer.byteLength(msg)} ${msg}`;
}

export function syslogSink(cfg: Cfg): Sink {
  let socket: net.Socket | null = null;
  const hostname = cfg.hostname ?? os.hostname();
  const drop = () => {
    socket?.destroy();
    socket = null;
  };
  const connect = () =>
    new Promise<net.Socket>((resolve, reject) => {
      const opts = { host: cfg.host, port: cfg.port, timeout: cfg.timeout_ms };
      const s = cfg.tls
        ? tls.connect(
            {
              ...opts,
              servername: net.isIP(cfg.host) ? undefined : cfg.host,
              ca: cfg.ca_file ? fs.readFileSync(cfg.ca_file) : undefined,
              rejectUnauthorized: !cfg.insecure_skip_verify,
            },
            () => done(),
          )
        : net.connect(opts, () => done());
      const fail = (e: Error) => {
        s.destroy();
        reject(e);
      };
      const done = () => {
        s.off('error', fail);
        s.setTimeout(0);
        // Notice a receiver that went away while we were idle, so the next batch reconnects.
        s.on('error', () => socket === s && drop());
        s.on('end', () => socket === s && drop());
        s.on('close', () => socket === s && (socket = null));
        s.resume();
        resolve(s);
      };
      s.once('error', fail);
      s.once('timeout', () => fail(new Error(`connect to ${cfg.host}:${cfg.port} timed out`)));
    });
  return {
    name: cfg.name,
    type: cfg.type,
    async send(batch) {
      try {
        // A receiver that closed an idle connection has sent FIN/RST that may not have been
        // processed yet: let pending socket events run first, or the batch would be written into a
        // dead connection and counted as delivered.
        if (socket) await new Promise((r) => setImmediate(r));
        if (socket && (socket.destroyed || socket.readableEnded)) drop();
        socket ??= await connect();
        const s = socket;
        const payload = batch
          .map((r) =>
            octetFrame(syslogMessage(r.rec, r.line, { facility: cfg.facility, appName: cfg.app_name, hostname })),
          )
          .join('');
        await new Promise<void>((resolve, reject) => {
          const onClose = () => reject(new Error('connection closed by the receiver'));
          s.once('close', onClose);
          s.write(payload, (err) => {
            s.off('close', onClose);
            if (err) reject(err);
            else resolve();
          });
        });
        await new Promise((r) => setImmediate(r));
        if (socket !== s || s.destroyed || s.readableEnded) throw new Error('connection closed by the receiver');
        return { ok: true };
      } catch (e) {
        drop();
        return { ok: false, retryable: true, error: (e as Error).message };
      }
    },
    close: async () => drop(),
  };
}
