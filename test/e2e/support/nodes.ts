// Several `steward serve` processes on one store, as a deployment behind a load balancer runs them:
// each its own port and working directory, the same --database-url and --config. Like steward.ts it
// sees Steward only through its CLI, HTTP and exit codes.
import { spawn, type ChildProcess } from 'node:child_process';
import { STEWARD_JS, type CliResult, type ListeningBanner } from './steward.js';

export interface Node {
  url: string;
  banner: ListeningBanner;
  process: ChildProcess;
  stderr(): string;
  /** SIGTERM and the exit code. */
  stop(): Promise<number | null>;
}

const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STEWARD_')));

export function startNode(args: string[], cwd: string, timeoutMs = 20_000): Promise<Node> {
  const proc = spawn(process.execPath, [STEWARD_JS, 'serve', '--port', '0', '--json', ...args], {
    cwd,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (why: string) => {
      proc.kill('SIGKILL');
      reject(new Error(`steward serve ${why}\nstdout: ${out}\nstderr: ${err.slice(-4000)}`));
    };
    const timer = setTimeout(() => fail(`printed no banner within ${timeoutMs} ms`), timeoutMs);
    proc.once('close', (code) => (clearTimeout(timer), fail(`exited (${code}) before listening`)));
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      proc.removeAllListeners('close');
      const banner = JSON.parse(out.slice(0, nl)) as ListeningBanner;
      resolve({
        url: banner.url,
        banner,
        process: proc,
        stderr: () => err,
        async stop() {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

export function cli(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [STEWARD_JS, ...args], {
      cwd,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
