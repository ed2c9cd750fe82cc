/** Who may answer an event: anyone for published public or unlisted events; members of its organisation always. */
const OPEN_STATUSES = ['PUBLISHED', 'ON_SALE', 'PAUSED'];

export function canAnswer(event: { status: string; visibility: string }, isMember: boolean): boolean {
  if (isMember) return event.status !== 'ARCHIVED' && event.status !== 'CLOSED';
  return OPEN_STATUSES.includes(event.status) && (event.visibility === 'PUBLIC' || event.visibility === 'UNLISTED');
}
