import type { Command } from 'commander';
import { startCollector } from '../session-files/client/index.js';
import { pushOptions, withPushOptions, type PushFlags } from './push-options.js';

interface CollectFlags extends PushFlags {
  watch?: boolean;
  rescanSeconds?: string;
  retryMaxSeconds?: string;
}

export function collectCommand(program: Command): void {
  withPushOptions(
    program
      .command('collect [paths...]')
      .description(
        'upload Codex session files continuously (--watch): new and growing files, ' +
          'retried while the server is down, resumed after a restart',
      ),
  )
    .option('--watch', 'keep running and upload new data as it is written (without it: one pass, like push)')
    .option('--rescan-seconds <n>', 'look for changes at least this often (default 5)')
    .option('--retry-max-seconds <n>', 'longest wait between retries while the server is unreachable (default 30)')
    .action(async (paths: string[], flags: CollectFlags) => {
      const opts = await pushOptions(flags, paths);
      const rescan = flags.rescanSeconds === undefined ? undefined : Number(flags.rescanSeconds);
      if (rescan !== undefined && !(rescan > 0)) throw new Error('--rescan-seconds must be a positive number');
      const retryMax = flags.retryMaxSeconds === undefined ? undefined : Number(flags.retryMaxSeconds);
      if (retryMax !== undefined && !(retryMax > 0)) throw new Error('--retry-max-seconds must be a positive number');
      const log = (event: Record<string, unknown>, text: string) => {
        if (flags.json) process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), ...event }) + '\n');
        else process.stderr.write(`${new Date().toISOString()} ${text}\n`);
      };
      const c = startCollector({
        ...opts,
        rescanMs: rescan === undefined ? undefined : rescan * 1000,
        backoffMaxMs: retryMax === undefined ? undefined : retryMax * 1000,
        onPass: (s) => {
          if (s.requests || s.errors.length)
            log(
              { event: 'pushed', ...s },
              `pushed ${s.files} files, ${s.lines} lines in ${s.requests} requests` +
                (s.errors.length ? `; ${s.errors.length} unreadable` : ''),
            );
          if (!flags.watch) c.stop();
        },
        onRetry: (e, ms) =>
          log(
            { event: 'retry', error: e.message, delay_ms: ms },
            `${e.message}; retrying in ${(ms / 1000).toFixed(1)} s`,
          ),
        onError: (e) => log({ event: 'error', error: e.message }, `error: ${e.message}`),
      });
      log(
        {
          event: 'started',
          server: opts.server,
          paths: opts.paths,
          state: opts.statePath,
          watch: Boolean(flags.watch),
        },
        `collecting ${opts.paths.join(', ')} -> ${opts.server}`,
      );
      const stop = () => c.stop();
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      await c.done;
      log({ event: 'stopped' }, 'stopped');
    });
}
