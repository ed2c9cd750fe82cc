/**
 * Who may answer an event: anyone for published public or unlisted events; the owner's friends for a user's
 * published FRIENDS event; members of its organisation (or the owner of a user's own event) always.
 */
export const OPEN_STATUSES = ['PUBLISHED', 'ON_SALE', 'PAUSED'];

export function canAnswer(event: { status: string; visibility: string }, isInsider: boolean, isFriend = false): boolean {
  if (isInsider) return event.status !== 'ARCHIVED' && event.status !== 'CLOSED';
  const open = event.visibility === 'PUBLIC' || event.visibility === 'UNLISTED' || (event.visibility === 'FRIENDS' && isFriend);
  return OPEN_STATUSES.includes(event.status) && open;
}
