// The crash harness (issue 15): OTLP senders and session-file uploaders (POST /v1/ingest/rollouts in
// two requests per file, offset and line as `steward push` sends them) push into a real `steward
// serve` and retry every request until it is acknowledged, while the server is SIGKILLed at random
// moments and started again on the same store. A request once sent is retried until acknowledged
// (it may have been stored before the kill), and no new one starts after the last kill, so the
// acknowledged set is exactly what was sent. At the end the Analytics API must hold exactly the
// tokens of that set, the archive every record of it once and nothing twice, and verify must pass.
import { prng } from '../../../bench/support/prng.js';
import { synthPayload } from '../../support/otlp.js';
import { syntheticSession } from '../../support/sessions.js';
import { faultyFront, type Fault } from './faulty-front.js';
import { startSteward, type Dialect } from './steward.js';

type Tokens = { input: number; cached: number; output: number };

export interface CrashRun {
  dialect: Dialect;
  kills: number;
  batches: number; // OTLP batches acknowledged
  sessions: number; // session files acknowledged (both requests)
  retries: number;
  ms: number;
  expected: Tokens;
  got: Tokens;
  archive: { records: number; doubled: string[]; missing: string[] };
  uploadProblems: string[]; // a per-file status other than stored/duplicate
  verify: { code: number | null; stdout: string; stderr: string };
}

export interface CrashOptions {
  dialect: Dialect;
  kills: number;
  senders: number; // OTLP senders
  uploaders?: number; // session-file senders
  batches: number; // per sender (OTLP batches, or sessions per uploader)
  seed: number;
  log?: (line: string) => void;
  /** The harness's self-test only: the senders talk to a broken front instead (faulty-front.ts). */
  fault?: Fault;
}

/** What makes a crash run fail; none means nothing acknowledged was lost or doubled and verify passed. */
export function crashProblems(r: CrashRun): string[] {
  const problems: string[] = [];
  for (const k of ['input', 'cached', 'output'] as const)
    if (r.got[k] !== r.expected[k]) problems.push(`${k} tokens: API ${r.got[k]}, acknowledged ${r.expected[k]}`);
  problems.push(...r.archive.doubled.map((d) => `doubled: ${d}`), ...r.archive.missing.map((m) => `archive: ${m}`));
  problems.push(...r.uploadProblems.map((u) => `upload: ${u}`));
  if (r.verify.code !== 0) problems.push(`verify exit ${r.verify.code}`);
  return problems;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function crashRun(o: CrashOptions): Promise<CrashRun> {
  const rnd = prng(o.seed);
  const s = await startSteward({ dialect: o.dialect, startTimeoutMs: 60_000 });
  const front = o.fault ? await faultyFront(o.fault, () => s.url) : undefined;
  const base = () => front?.url ?? s.url;
  const t0 = performance.now();
  try {
    await s.cli(['users', 'add', 'dev@example.com']);
    const key = (await s.cli(['keys', 'create', '--scope', 'ingest.write', '--user', 'dev@example.com'])).secret;
    const expected: Tokens = { input: 0, cached: 0, output: 0 };
    const now = Date.now() - 3600_000;
    // OTLP: each batch one thread, a prompt and two responses with counts known here (3 records).
    const otlp: { conv: string; body: string; tokens: Tokens }[][] = [];
    for (let i = 0; i < o.senders; i++) {
      otlp.push([]);
      for (let b = 0; b < o.batches; b++) {
        const conv = `crash-${o.seed}-${i}-${b}`;
        const recs: Parameters<typeof synthPayload>[0] = [{ conv, ts: now + b, kind: 'prompt' }];
        const tokens: Tokens = { input: 0, cached: 0, output: 0 };
        for (let k = 0; k < 2; k++) {
          const input = 100 + Math.floor(rnd() * 1000);
          const cached = Math.floor(rnd() * 100);
          const output = 1 + Math.floor(rnd() * 500);
          tokens.input += input;
          tokens.cached += cached;
          tokens.output += output;
          recs.push({ conv, ts: now + b + k + 1, kind: 'response', input, cached, output });
        }
        otlp[i]!.push({ conv, body: JSON.stringify(synthPayload(recs)), tokens });
      }
    }
    const add = (t: Tokens) => {
      expected.input += t.input;
      expected.cached += t.cached;
      expected.output += t.output;
    };
    const post = (url: string, body: string) =>
      fetch(`${base()}${url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
    let retries = 0;
    let stop = false;
    const uploadProblems: string[] = [];
    // One request until a 200 (connection refused or reset by a kill, or a 503 while starting: again).
    const untilAcked = async (url: string, body: string): Promise<any> => {
      for (;;) {
        try {
          const r = await post(url, body);
          const text = await r.text();
          if (r.status === 200) return text ? JSON.parse(text) : {};
        } catch {
          // not acknowledged: sent again
        }
        retries++;
        await sleep(20 + rnd() * 80);
      }
    };
    let batches = 0;
    const acked = new Set<string>();
    const sendOtlp = async (list: (typeof otlp)[number]) => {
      for (const b of list) {
        if (stop) return;
        await untilAcked('/v1/logs', b.body);
        acked.add(b.conv);
        add(b.tokens);
        batches++;
      }
    };
    // Session files: the synthetic sessions of test/support/sessions.ts, one thread each; the file
    // in two requests (the second resumes at the byte offset and line count of the first).
    const threads = new Set<string>();
    let sessions = 0;
    const sendFiles = async (u: number) => {
      for (let j = 0; j < o.batches; j++) {
        if (stop) return;
        const sess = syntheticSession(1000 + u * 1000 + j, now + j * 100_000);
        const doc = JSON.parse(sess.upload);
        const f = doc.files[0];
        const cut = 1 + Math.floor(rnd() * (f.lines.length - 1));
        const head = f.lines.slice(0, cut);
        const offset = head.reduce((n: number, l: { n: number }) => n + l.n + 1, 0);
        const parts = [
          { ...f, lines: head, final: false },
          { ...f, offset, line: cut, lines: f.lines.slice(cut), final: true },
        ];
        for (const part of parts) {
          const r = await untilAcked('/v1/ingest/rollouts', JSON.stringify({ ...doc, files: [part] }));
          for (const fr of r.files ?? [])
            if (fr.status !== 'stored' && fr.status !== 'duplicate') uploadProblems.push(`${fr.path}: ${fr.status}`);
        }
        threads.add(JSON.parse(f.lines[0].t).payload.id);
        add({
          input: sess.truth.uncached_text_input_tokens + sess.truth.cached_text_input_tokens,
          cached: sess.truth.cached_text_input_tokens,
          output: sess.truth.text_output_tokens,
        });
        sessions++;
      }
    };
    let done = false;
    const senders = Promise.all([
      ...otlp.map(sendOtlp),
      ...Array.from({ length: o.uploaders ?? 0 }, (_, u) => sendFiles(u)),
    ]).finally(() => {
      done = true;
    });
    let kills = 0;
    while (kills < o.kills && !done) {
      await sleep(50 + rnd() * 400);
      if (done) break;
      await s.kill('SIGKILL');
      kills++;
      await s.start();
      if (kills % 10 === 0) o.log?.(`${kills} kills, ${batches} batches, ${sessions} files, ${retries} retries`);
    }
    stop = true;
    await senders;
    const ws = s.workspaceId;
    const r = await s.fetch(`/v1/analytics/codex/workspaces/${ws}/usage?group=workspace&limit=1000`);
    const page = (await r.json()) as any;
    const got: Tokens = { input: 0, cached: 0, output: 0 };
    for (const row of page.data) {
      got.input += row.totals.uncached_text_input_tokens + row.totals.cached_text_input_tokens;
      got.cached += row.totals.cached_text_input_tokens;
      got.output += row.totals.text_output_tokens;
    }
    const archive = await compareArchive(s, ws, acked, threads);
    const verify = await s.cliRaw(['compliance', 'verify']);
    return {
      dialect: o.dialect,
      kills,
      batches,
      sessions,
      retries,
      ms: performance.now() - t0,
      expected,
      got,
      archive,
      uploadProblems,
      verify,
    };
  } finally {
    await front?.close();
    await s.cleanup();
  }
}

// The archive through the Logs API: no two CODEX_LOG records alike (same thread and content), every
// acknowledged OTLP batch's thread with its three records, every acknowledged session file's thread
// with as many records as every other (all synthetic sessions have the same lines and events).
async function compareArchive(
  s: Awaited<ReturnType<typeof startSteward>>,
  ws: string,
  acked: Set<string>,
  threads: Set<string>,
): Promise<CrashRun['archive']> {
  const records: any[] = [];
  let after = '';
  for (;;) {
    const q = `event_type=CODEX_LOG&limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`;
    const page = (await (await s.fetch(`/v1/compliance/workspaces/${ws}/logs?${q}`)).json()) as any;
    for (const file of page.data) {
      const text = await (await s.fetch(file.url)).text();
      for (const line of text.split('\n')) if (line) records.push(JSON.parse(line));
    }
    if (!page.has_more) break;
    after = page.last_end_time;
  }
  const seen = new Map<string, number>();
  const perThread = new Map<string, number>();
  for (const rec of records) {
    const k = `${rec.thread_id} ${JSON.stringify(rec.content)}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
    perThread.set(rec.thread_id, (perThread.get(rec.thread_id) ?? 0) + 1);
  }
  const doubled = [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${n}x ${k.slice(0, 200)}`);
  const missing: string[] = [];
  for (const conv of acked)
    if (perThread.get(conv) !== 3) missing.push(`${conv}: ${perThread.get(conv) ?? 0} of 3 records`);
  // An OTLP thread in the archive that was never acknowledged is one too many.
  for (const [t] of perThread)
    if (t?.startsWith('crash-') && !acked.has(t)) missing.push(`${t}: not acknowledged, archived`);
  const counts = [...threads].map((t) => perThread.get(t) ?? 0);
  const want = Math.max(0, ...counts);
  for (const t of threads)
    if ((perThread.get(t) ?? 0) !== want) missing.push(`${t}: ${perThread.get(t) ?? 0} of ${want} records`);
  return { records: records.length, doubled, missing };
}
