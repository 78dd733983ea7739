// Rotated local JSONL files: append, fsync, and rotate path -> path.1 -> … -> path.(max_files-1)
// when the next batch would pass max_bytes.
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { SinkConfig } from '../../config/compliance.schema.js';
import type { Sink } from './types.js';

type Cfg = Extract<SinkConfig, { type: 'file' }>;

const exists = (p: string) =>
  fsp.access(p).then(
    () => true,
    () => false,
  );

export function fileSink(cfg: Cfg): Sink {
  let fh: fsp.FileHandle | null = null;
  let size = 0;
  const open = async () => {
    await fsp.mkdir(path.dirname(path.resolve(cfg.path)), { recursive: true });
    fh = await fsp.open(cfg.path, 'a');
    size = (await fh.stat()).size;
  };
  const rotate = async () => {
    await fh?.close();
    fh = null;
    const name = (i: number) => (i === 0 ? cfg.path : `${cfg.path}.${i}`);
    if (await exists(name(cfg.max_files - 1))) await fsp.rm(name(cfg.max_files - 1));
    for (let i = cfg.max_files - 2; i >= 0; i--) if (await exists(name(i))) await fsp.rename(name(i), name(i + 1));
    await open();
  };
  return {
    name: cfg.name,
    type: cfg.type,
    async send(batch) {
      try {
        if (!fh) await open();
        const data = batch.map((r) => r.line).join('\n') + '\n';
        const bytes = Buffer.byteLength(data);
        if (size > 0 && size + bytes > cfg.max_bytes) await rotate();
        await fh!.write(data);
        if (cfg.fsync) await fh!.datasync();
        size += bytes;
        return { ok: true };
      } catch (e) {
        await fh?.close().catch(() => {});
        fh = null;
        return { ok: false, retryable: true, error: (e as Error).message };
      }
    },
    close: async () => {
      await fh?.close();
      fh = null;
    },
  };
}
