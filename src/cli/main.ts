import { Command, CommanderError } from 'commander';
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
