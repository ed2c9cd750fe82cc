/** Dates as the venue's clock shows them: a visitor in another zone still reads the time printed on the ticket. */

const dateTime = (timeZone: string) =>
  new Intl.DateTimeFormat(undefined, {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });

const timeOnly = (timeZone: string) =>
  new Intl.DateTimeFormat(undefined, { timeZone, hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });

/** whole-day events are stored as UTC midnights: their dates are read in UTC */
const dateOnly = new Intl.DateTimeFormat(undefined, {
  timeZone: 'UTC',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

const localDay = (at: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

export interface When {
  startsAt: string;
  endsAt: string;
  allDay: boolean;
  timeZone: string;
}

/** "Sat, 5 Jun 2027, 19:30 WEST – 23:00 WEST", or the dates of a whole-day event (its end is exclusive). */
export function formatWhen({ startsAt, endsAt, allDay, timeZone }: When): string {
  const start = new Date(startsAt);
  const end = new Date(endsAt);
  if (allDay) {
    const last = new Date(end.getTime() - 86_400_000);
    const first = dateOnly.format(start);
    return last > start ? `${first} – ${dateOnly.format(last)}` : first;
  }
  const sameDay = localDay(start, timeZone) === localDay(end, timeZone);
  return `${dateTime(timeZone).format(start)} – ${(sameDay ? timeOnly(timeZone) : dateTime(timeZone)).format(end)}`;
}

/** YYYY-MM-DD of today in the visitor's zone (the date inputs' default lower bound). */
export const today = (timeZone: string) => localDay(new Date(), timeZone);

export const visitorTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The description is sanitised HTML (the API's promise); the site shows its text only. */
export function plainText(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  return (doc.body.textContent ?? '').trim();
}
