import type { CliIo } from '../cli/claimguard.js';

/** Runs the CLI in process with its output kept, for tests of what a command prints. */
export type CapturedCli = { io: CliIo; out: () => string; err: () => string };

export function captureCli(env: NodeJS.ProcessEnv): CapturedCli {
  let out = '';
  let err = '';
  return {
    io: { out: (text) => (out += text), err: (text) => (err += text), env },
    out: () => out,
    err: () => err,
  };
}
