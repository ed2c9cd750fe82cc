import { deletionProblem } from './deletion';
import { NO_CONTACT } from './organizer-contact';

/**
 * Privacy rules of the events subgraph (issue 15). About a user it holds: the user's own events, saved
 * searches, calendar feed tokens, venue status reports and their rate-limit slots, and who follows whom.
 * When the account is deleted all of it goes; an own event that others depend on (a series, tickets) cannot be
 * deleted, so it stays, archived and stripped of what its owner wrote about the place and the plan.
 */
export type OwnEventErasure = 'DELETE' | 'ANONYMISE';

export function ownEventErasure(dependents: { kind: string }[]): OwnEventErasure {
  return deletionProblem(dependents) ? 'ANONYMISE' : 'DELETE';
}

/**
 * What an anonymised own event keeps: its times and title stay for those who depend on it, the rest is blanked,
 * its organiser contact (often the owner's own name, address and number) with it.
 */
export const ANONYMISED_OWN_EVENT = {
  description: '',
  locationName: null,
  externalUrl: null,
  imageUrls: [] as string[],
  ...NO_CONTACT,
};
