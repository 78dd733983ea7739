// The many-short-files corpus shape: copies of the real Codex 0.169 session files (test/fixtures/
// rollouts/0.169 and the older formats) with every UUID replaced per copy (new thread and turn ids, so
// nothing dedupes), spread over day folders, until the target size. Reused when already built.
import fs from 'node:fs';
import path from 'node:path';
import { prng } from './prng.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

function templates(repo: string): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.jsonl')) out.push({ name: e.name, text: fs.readFileSync(p, 'utf8') });
    }
  };
  walk(path.join(repo, 'test/fixtures/rollouts/0.169'));
  walk(path.join(repo, 'test/fixtures/rollouts/older'));
  return out;
}

export function ensureShortCorpus(repo: string, dir: string, targetBytes: number, seed: number) {
  const done = path.join(dir, 'corpus.json');
  if (fs.existsSync(done)) return { ...JSON.parse(fs.readFileSync(done, 'utf8')), reused: true };
  fs.rmSync(dir, { recursive: true, force: true });
  const rnd = prng(seed);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const tpl = templates(repo);
  let bytes = 0;
  let files = 0;
  while (bytes < targetBytes) {
    const t = tpl[files % tpl.length]!;
    const map = new Map<string, string>();
    const text = t.text.replace(UUID, (u) => {
      let v = map.get(u);
      if (!v) map.set(u, (v = `${u.slice(0, 8)}-${hex(4)}-7${hex(3)}-8${hex(3)}-${hex(12)}`));
      return v;
    });
    const day = String(1 + (files % 28)).padStart(2, '0');
    const sub = path.join(dir, 'sessions', '2026', '11', day);
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(
      path.join(
        sub,
        t.name.replace(UUID, (u) => map.get(u) ?? u),
      ),
      text,
    );
    bytes += Buffer.byteLength(text);
    files++;
  }
  const info = { files, bytes };
  fs.writeFileSync(done, JSON.stringify(info));
  return { ...info, reused: false };
}
