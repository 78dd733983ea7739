import { Command, CommanderError } from 'commander';
import { exitCodeFor } from './shared-basics.js';

type Register = (program: Command) => void;

// Each command's module is loaded only when it runs: loading all of them (Fastify, the protobuf
// decoder, the compliance sinks, ...) cost ~250 ms of start-up that `steward import` and `report`,
// run often and expected to answer at once, do not need. Help, --version and unknown commands
// load every command so the listing and suggestions are whole; --version loads none (decision 0047:
// it cost ~2 s of CPU on a loaded machine, for a string). Order: as `steward --help` lists them.
const COMMANDS: Record<string, () => Promise<Register>> = {
  serve: async () => (await import('./serve.command.js')).serveCommand,
  users: async () => (await import('./users.command.js')).usersCommand,
  keys: async () => (await import('./keys.command.js')).keysCommand,
  teams: async () => (await import('./teams.command.js')).teamsCommand,
  workspaces: async () => (await import('./workspaces.command.js')).workspacesCommand,
  compliance: async () => (await import('./compliance.command.js')).complianceCommand,
  backup: async () => (await import('./backup.command.js')).backupCommand,
  restore: async () => (await import('./backup.command.js')).restoreCommand,
  import: async () => (await import('./import.command.js')).importCommand,
  report: async () => (await import('./report.command.js')).reportCommand,
  push: async () => (await import('./push.command.js')).pushCommand,
  collect: async () => (await import('./collect.command.js')).collectCommand,
  demo: async () => (await import('./demo.command.js')).demoCommand,
};

export async function main(argv: string[]): Promise<void> {
  const program = new Command('steward')
    .description('Self-hosted governance and observability for AI coding agents')
    .version('0.1.0')
    .showHelpAfterError();
  program.exitOverride();
  const name = argv[2];
  const version = argv.length === 3 && (name === '--version' || name === '-V');
  const wanted = version ? [] : name !== undefined && Object.hasOwn(COMMANDS, name) ? [name] : Object.keys(COMMANDS);
  for (const register of await Promise.all(wanted.map((n) => COMMANDS[n]!()))) register(program);
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
