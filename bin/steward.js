#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

main(process.argv).catch((e) => {
  console.error(`steward: ${e?.message ?? e}`);
  process.exit(1);
});
