import { Command, CommanderError } from 'commander';
import { complianceCommand } from './compliance.command.js';
import { importCommand } from './import.command.js';
import { reportCommand } from './report.command.js';
import { pushCommand } from './push.command.js';
import { collectCommand } from './collect.command.js';
import { keysCommand } from './keys.command.js';
import { serveCommand } from './serve.command.js';
import { exitCodeFor } from './shared.js';
import { usersCommand } from './users.command.js';
import { workspacesCommand } from './workspaces.command.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('steward').description('Self-hosted governance and observability for AI coding agents').version('0.1.0').showHelpAfterError();
  program.exitOverride();
  serveCommand(program);
  usersCommand(program);
  keysCommand(program);
  workspacesCommand(program);
  complianceCommand(program);
  importCommand(program);
  reportCommand(program);
  pushCommand(program);
  collectCommand(program);
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    console.error(`steward: ${(e as Error).message}`);
    // Exit now: a half-opened database pool must not keep a failed command alive.
    process.exit(exitCodeFor(e));
  }
}
