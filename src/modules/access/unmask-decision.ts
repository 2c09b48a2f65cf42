import {
  catalogueField,
  isPurposeId,
  type PersonalDataFieldId,
  type PurposeId,
} from '../vault/personal-data-catalogue.js';
import type { AppAbility } from './abilities.js';
import { hasFreshSecondFactor, type Principal } from './principal.js';

/**
 * Whether a caller may see a personal field unmasked (S3.2, S3.3): the unmask permission, a purpose the
 * catalogue allows for that field, and a second factor verified in the last five minutes. Anything less
 * gets the masked value. The vault writes the audit event, with the purpose, for either outcome.
 */
export type UnmaskDecision =
  | { unmask: true; purpose: PurposeId }
  | {
      unmask: false;
      purpose: PurposeId | null;
      reason: 'no-permission' | 'no-purpose' | 'purpose-not-allowed' | 'step-up-required';
    };

export function decideUnmask(
  principal: Principal | null,
  ability: AppAbility,
  field: PersonalDataFieldId,
  purpose: string | null | undefined,
  now: Date = new Date(),
): UnmaskDecision {
  const known = purpose && isPurposeId(purpose) ? purpose : null;
  if (!ability.can('unmask', 'PersonalData'))
    return { unmask: false, purpose: known, reason: 'no-permission' };
  if (!known) return { unmask: false, purpose: null, reason: 'no-purpose' };
  if (!catalogueField(field).purposes.includes(known))
    return { unmask: false, purpose: known, reason: 'purpose-not-allowed' };
  if (!hasFreshSecondFactor(principal, now))
    return { unmask: false, purpose: known, reason: 'step-up-required' };
  return { unmask: true, purpose: known };
}
