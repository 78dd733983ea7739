import type { Command } from 'commander';
import { defaultWorkspace } from '../access/index.js';
import type { Db } from '../platform/storage/database.js';
import { withStoreOptions, type StoreFlags } from './shared.js';

// What the compliance commands share: the workspace option and the verify-failed exit code.
export const EXIT_VERIFY_FAILED = 5;
export type WsFlags = StoreFlags & { workspace?: string };
export const workspaceOf = async (db: Db, flags: WsFlags) => flags.workspace ?? (await defaultWorkspace(db)).id;
export const withWorkspace = (cmd: Command) =>
  withStoreOptions(cmd).option('--workspace <id>', "workspace id (default: the store's first workspace)");
