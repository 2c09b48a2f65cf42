import { runCli } from './claimguard.js';

// The process ends by itself when nothing is left to do; `serve` keeps it alive by listening.
const exitCode = await runCli(process.argv.slice(2));
if (exitCode !== 0) process.exit(exitCode);
