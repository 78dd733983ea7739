import type { Command } from 'commander';
import { StewardError } from '../core/errors.js';
import { loadState, pushOnce, RetryableUploadError } from '../session-files/client/index.js';
import { pushOptions, withPushOptions, type PushFlags } from './push-options.js';
import { print } from './shared.js';

export function pushCommand(program: Command): void {
  withPushOptions(
    program
      .command('push [paths...]')
      .description('upload what is new in your Codex session files to a Steward server (incremental, idempotent)'),
  ).action(async (paths: string[], flags: PushFlags) => {
    const opts = await pushOptions(flags, paths);
    const state = await loadState(opts.statePath, opts.server);
    try {
      const s = await pushOnce(opts, state);
      print(flags, { ...s, server: opts.server, state: opts.statePath }, () =>
        [
          `Pushed ${s.files} files (${s.lines.toLocaleString('en-US')} lines, ${(s.bytes / 1e6).toFixed(1)} MB) ` +
            `in ${s.requests} requests to ${opts.server}`,
          `  server stored ${s.stored.threads} new threads, ${s.stored.turns} turns, ${s.stored.requests} responses, ` +
            `${s.stored.content} content records; ${s.stored.duplicates} already known`,
          ...(s.skipped ? [`  ${s.skipped} bad lines skipped (the server's log names them)`] : []),
          ...(s.unknown ? [`  ${s.unknown} lines of types Steward does not know yet, kept`] : []),
          ...s.errors.map((e) => `  could not read ${e.file}: ${e.message}`),
        ].join('\n'),
      );
      if (s.errors.length) process.exitCode = 1;
    } catch (e) {
      // Unreachable or busy: nothing is lost; what was acknowledged is in the state file.
      if (e instanceof RetryableUploadError)
        throw new StewardError(
          'storage_unavailable',
          `${e.message}; run steward push again later (or steward collect --watch)`,
        );
      throw e;
    }
  });
}
