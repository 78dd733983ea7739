// Runs the `steward` CLI from src/ (no build needed): node --import tsx test/support/steward-src.ts ARGS…
import { main } from '../../src/cli/main.js';

await main(process.argv);
