/** Failures to open the store, each with a message an operator can act on (and no credentials in it). */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
}
