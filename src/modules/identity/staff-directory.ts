import type { RecipientDirectory } from '../notifications/notifications.service.js';
import type { IdentityService } from './identity.service.js';

/**
 * Where to email a staff member (issue 5 section 1, S2.3): security officers get alert emails at their work
 * address. The address is opened by the identity service at the moment of sending (never copied into the
 * outbox) and the read is audited as the system's, purpose `notification`. Staff have no phone on file, so
 * SMS to staff has no address; neither has a disabled account.
 */
export function staffDirectory(identity: Pick<IdentityService, 'emailForNotification'>): RecipientDirectory {
  return {
    async addressOf(db, recipient, channel) {
      if (recipient.kind !== 'staff' || channel !== 'email') return null;
      return identity.emailForNotification(db, recipient.id);
    },
  };
}
