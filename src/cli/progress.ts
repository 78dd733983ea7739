// A progress bar for long work, on stderr and only when it is a terminal (stdout stays clean for
// --json and pipes).
import cliProgress from 'cli-progress';
import type { ImportProgress } from '../session-files/index.js';

const mb = (n: number) => (n / 1e6).toFixed(1);

export function importProgressBar(enabled = Boolean(process.stderr.isTTY)): {
  update: (p: ImportProgress) => void;
  stop: () => void;
} {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'importing {bar} {percentage}% | {files} files | {mb}/{totalMb} MB | {eta_formatted} left',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let last = 0;
  return {
    update(p) {
      if (!started) {
        bar.start(Math.max(1, p.bytesTotal), 0, { files: `0/${p.filesTotal}`, mb: '0.0', totalMb: mb(p.bytesTotal) });
        started = true;
      }
      const t = Date.now();
      if (t - last < 80 && p.filesDone < p.filesTotal) return;
      last = t;
      bar.update(p.bytesDone, {
        files: `${p.filesDone}/${p.filesTotal}`,
        mb: mb(p.bytesDone),
        totalMb: mb(p.bytesTotal),
      });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
