import type { RecipientDirectory } from './notifications.service.js';
import type { RecipientKind } from './notifications.tables.js';

/**
 * One directory over one per kind of recipient (customers through the vault, staff through identity): the
 * dispatcher asks it, it asks the one that knows that kind; a kind without a directory has no address.
 */
export function directoryByKind(
  directories: Partial<Record<RecipientKind, RecipientDirectory>>,
): RecipientDirectory {
  return {
    addressOf(db, recipient, channel) {
      const directory = directories[recipient.kind];
      return directory ? directory.addressOf(db, recipient, channel) : Promise.resolve(null);
    },
  };
}
