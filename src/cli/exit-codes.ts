/** Exit codes of the `claimguard` command: stable, so scripts can rely on them (documented in the README). */
export const EXIT = {
  ok: 0,
  /** Something failed that has no code of its own; `doctor` found a problem. */
  failure: 1,
  /** The command line itself is wrong (unknown command or option, bad option value). */
  usage: 2,
  /** The configuration is invalid. */
  config: 3,
  /** The store cannot be reached or opened. */
  storeUnavailable: 4,
  /** Something else holds what this process needs: the embedded store's directory or the port. */
  busy: 5,
  /** A migration failed. */
  migration: 6,
  /** A key file is missing, unreadable or readable by others. */
  keys: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
