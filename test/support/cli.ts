// Runs the CLI (built, or from src/: cli-entry.ts) as a child process, in a clean directory and environment, against a test store.
import { spawn } from 'node:child_process';
import { cliEntry } from './cli-entry.js';
import { pgUrlWithSchema, type TestStore } from './stores.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function storeArgs(s: TestStore): string[] {
  return s.reopen.dataDir ? ['--data', s.reopen.dataDir] : ['--database-url', pgUrlWithSchema(s.reopen.pgSchema!)];
}

// `input`: written to the child's standard input (which is otherwise closed).
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}, input?: string): Promise<CliRun> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('STEWARD_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliEntry(), ...args], {
      cwd,
      env: { ...clean, ...env },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (input !== undefined) child.stdin!.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c) => (stdout += c));
    child.stderr!.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
