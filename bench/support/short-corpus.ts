// The many-short-files corpus shape: copies of the real Codex session files (test/fixtures/rollouts/
// 0.169 and the older formats) until the target size, each copy a session of its own: every UUID
// replaced (new thread and turn ids, so nothing dedupes), every time moved to its day folder's day,
// a few seconds after the copy before it, and the lines written as compact JSON, as Codex writes them.
// The times matter to ccusage: it counts a token_count once per time and figures across all files,
// so copies left at their template's times counted once (28,810 tokens where Steward counted
// 13,413,440); and it finds token lines by their compact bytes, so the fixtures' re-serialized
// `": "` lines counted zero. The old non-paginated fork fixture is left out: ccusage counts its copied
// parent history again (test/fixtures/rollouts/README.md). Reused when already built.
import fs from 'node:fs';
import path from 'node:path';
import { prng } from './prng.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g;
const NAME_TIME = /rollout-(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)/;
// Where ccusage and Steward differ by design: not a bench shape, a known difference.
const LEFT_OUT = ['019a4b10-2c3d-7e4f-8a9b-0c1d2e3f4a5b'];

export interface Template {
  name: string;
  lines: string[]; // compact JSON where a line parses, else as it was
  first: number; // its first time, epoch ms
}

export function shortTemplates(repo: string): Template[] {
  const out: Template[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.jsonl') && !LEFT_OUT.some((id) => e.name.includes(id))) {
        const lines = fs
          .readFileSync(p, 'utf8')
          .split('\n')
          .map((l) => {
            try {
              return JSON.stringify(JSON.parse(l));
            } catch {
              return l;
            }
          });
        const times = lines.join('\n').match(ISO) ?? [];
        const first = Math.min(...times.map((t) => Date.parse(t)));
        out.push({ name: e.name, lines, first: Number.isFinite(first) ? first : Date.parse('2026-11-01T00:00:00Z') });
      }
    }
  };
  walk(path.join(repo, 'test/fixtures/rollouts/0.169'));
  walk(path.join(repo, 'test/fixtures/rollouts/older'));
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Copy `n` of a template: new ids from `hex`, its times moved to start at `start` (epoch ms). */
export function copyOf(t: Template, start: number, hex: (n: number) => string): { name: string; text: string } {
  const ids = new Map<string, string>();
  const id = (u: string) => {
    let v = ids.get(u);
    if (!v) ids.set(u, (v = `${u.slice(0, 8)}-${hex(4)}-7${hex(3)}-8${hex(3)}-${hex(12)}`));
    return v;
  };
  const shift = start - t.first;
  const text = t.lines
    .join('\n')
    .replace(UUID, id)
    .replace(ISO, (s) => new Date(Date.parse(s) + shift).toISOString());
  const name = t.name.replace(UUID, id).replace(NAME_TIME, (_m, d: string, h: string, mi: string, s: string) => {
    const moved = new Date(Date.parse(`${d}T${h}:${mi}:${s}Z`) + shift).toISOString();
    return `rollout-${moved.slice(0, 10)}T${moved.slice(11, 19).replaceAll(':', '-')}`;
  });
  return { name, text };
}

export function ensureShortCorpus(repo: string, dir: string, targetBytes: number, seed: number) {
  const done = path.join(dir, 'corpus.json');
  if (fs.existsSync(done)) return { ...JSON.parse(fs.readFileSync(done, 'utf8')), reused: true };
  fs.rmSync(dir, { recursive: true, force: true });
  const rnd = prng(seed);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const tpl = shortTemplates(repo);
  let bytes = 0;
  let files = 0;
  while (bytes < targetBytes) {
    const t = tpl[files % tpl.length]!;
    const day = 1 + (files % 28);
    // A copy starts 7 s after the one before it on its day: times never repeat between copies.
    const start = Date.UTC(2026, 10, day) + Math.floor(files / 28) * 7_000;
    const c = copyOf(t, start, hex);
    const sub = path.join(dir, 'sessions', '2026', '11', String(day).padStart(2, '0'));
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, c.name), c.text);
    bytes += Buffer.byteLength(c.text);
    files++;
  }
  const info = { files, bytes };
  fs.writeFileSync(done, JSON.stringify(info));
  return { ...info, reused: false };
}
