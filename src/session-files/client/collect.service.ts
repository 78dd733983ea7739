// `steward collect --watch`: pushes session files continuously. New and growing files are noticed
// by fs.watch (recursive) and by a periodic rescan (watch events can be lost, and some file systems
// have none); changes are batched for `debounceMs`; while the server is down or busy the pass is
// retried with exponential backoff (honouring Retry-After); the state file makes a restarted
// collector continue where the server stands.
import { watch, type FSWatcher } from 'node:fs';
import { StewardError } from '../../core/errors.js';
import { loadState, pushOnce, RetryableUploadError, type PushOptions, type PushSummary } from './push.service.js';

export interface CollectOptions extends PushOptions {
  rescanMs?: number; // default 5 s
  debounceMs?: number; // default 250 ms
  backoffMinMs?: number; // default 500 ms
  backoffMaxMs?: number; // default 30 s
  onPass?: (s: PushSummary) => void;
  onRetry?: (e: Error, delayMs: number) => void;
  onError?: (e: Error) => void;
}

export interface Collector {
  /** Resolves when stopped (after the request in flight, with the state saved). */
  done: Promise<void>;
  stop(): void;
  /** Run a pass as soon as possible. */
  poke(): void;
}

export function startCollector(opts: CollectOptions): Collector {
  let stopping = false;
  let wake: (() => void) | undefined;
  let dirty = true;
  const poke = () => {
    dirty = true;
    wake?.();
  };
  const watchers: FSWatcher[] = [];
  for (const p of opts.paths) {
    try {
      const w = watch(p, { recursive: true, persistent: false }, () => poke());
      w.on('error', () => undefined); // a watched directory went away: the rescan still covers it
      watchers.push(w);
    } catch {
      /* not a directory yet, or no recursive watch here: the periodic rescan covers it */
    }
  }
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const run = async () => {
    const state = await loadState(opts.statePath, opts.server);
    let backoff = opts.backoffMinMs ?? 500;
    while (!stopping) {
      if (!dirty) await sleep(opts.rescanMs ?? 5000);
      if (stopping) break;
      // Let a burst of writes settle into one pass.
      await new Promise((r) => setTimeout(r, opts.debounceMs ?? 250));
      dirty = false;
      try {
        const s = await pushOnce(opts, state);
        backoff = opts.backoffMinMs ?? 500;
        opts.onPass?.(s);
      } catch (e) {
        if (e instanceof RetryableUploadError) {
          const delay = Math.max(e.retryAfterMs ?? 0, backoff) * (0.8 + Math.random() * 0.4);
          opts.onRetry?.(e, Math.round(delay));
          backoff = Math.min(backoff * 2, opts.backoffMaxMs ?? 30_000);
          dirty = true;
          await sleep(delay);
          continue;
        }
        if (e instanceof StewardError && (e.code === 'invalid_key' || e.code === 'forbidden_scope')) throw e;
        opts.onError?.(e as Error);
        dirty = true;
        await sleep(opts.backoffMaxMs ?? 30_000);
      }
    }
  };
  const done = run().finally(() => {
    for (const w of watchers) w.close();
  });
  return {
    done,
    stop() {
      stopping = true;
      wake?.();
    },
    poke,
  };
}
