#!/usr/bin/env node
// The installed `claimguard` command: runs the compiled CLI (npm run build writes it to dist/).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('claimguard: not built yet; run `npm run build` (or `npm start`) first.\n');
  process.exit(1);
}
await import(entry.href);
