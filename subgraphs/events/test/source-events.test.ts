import {
  decideSourceEvent,
  DEFAULT_DURATION_MS,
  parseEnded,
  parseUpserted,
  placeLabel,
  sourceEventSlug,
} from '../src/domain/source-events';
import { announcesCancellation, checkEventTransition, PUBLIC_STATUSES } from '../src/domain/event-lifecycle';
import { replacement, type MatchableEvent } from '../src/domain/own-events';
import { calendarStatus, renderCalendar } from '../src/calendar';
import { canSeeEvent } from '../src/visibility';
import { ANONYMOUS } from '@eventgraph/runtime';

const ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

const upserted = (over: Record<string, unknown> = {}) => ({
  canonicalEventId: ID,
  version: 3,
  title: '  Jazz im Hof 2027 ',
  description: '<p>Open air <strong>jazz</strong></p><script>alert(1)</script>',
  startsAt: '2027-07-01T18:00:00.000Z',
  endsAt: '2027-07-01T22:00:00.000Z',
  allDay: false,
  timeZone: 'europe/berlin',
  place: {
    text: 'Hof, Schönhauser Allee 36',
    venueName: 'Kulturbrauerei',
    city: 'Berlin',
    country: 'DE',
    latitude: 52.539,
    longitude: 13.413,
  },
  url: 'https://example.org/jazz',
  imageUrl: 'javascript:alert(1)',
  categories: ['Music', 'music', 'jazz'],
  sourceCount: 2,
  ...over,
});

describe('Layer-1 payloads', () => {
  it('turn an upserted payload into Event columns, keeping only safe values', () => {
    const parsed = parseUpserted(upserted());
    if (!parsed.ok) throw new Error(parsed.problem);
    const { fields } = parsed.value;
    expect(parsed.value).toMatchObject({ id: ID, version: 3 });
    expect(fields.title).toBe('Jazz im Hof 2027');
    expect(fields.slug).toBe('jazz-im-hof-2027-7c9e6679');
    expect(fields.description).toBe('<p>Open air <strong>jazz</strong></p>');
    expect(fields.timeZone).toBe('Europe/Berlin');
    expect(fields.locationName).toBe('Kulturbrauerei, Berlin');
    expect([fields.latitude, fields.longitude]).toEqual([52.539, 13.413]);
    expect(fields.externalUrl).toBe('https://example.org/jazz');
    expect(fields.imageUrls).toEqual([]); // not an http(s) URL: dropped, the event kept
    expect(fields.categories).toEqual(['music', 'jazz']);
  });

  it('give an event without an end a default one: a day when all-day, else an hour', () => {
    const timed = parseUpserted(upserted({ endsAt: null }));
    const allDay = parseUpserted(upserted({ endsAt: null, allDay: true, startsAt: '2027-07-01T00:00:00.000Z' }));
    if (!timed.ok || !allDay.ok) throw new Error('refused');
    expect(timed.value.fields.endsAt.getTime() - timed.value.fields.startsAt.getTime()).toBe(DEFAULT_DURATION_MS);
    expect(allDay.value.fields.endsAt.toISOString()).toBe('2027-07-02T00:00:00.000Z');
    expect(allDay.value.fields.allDay).toBe(true);
  });

  it('refuse payloads that can never apply, naming what is wrong', () => {
    expect(parseUpserted(upserted({ canonicalEventId: 'nope' }))).toEqual({ ok: false, problem: 'canonicalEventId: not a uuid' });
    expect(parseUpserted(upserted({ version: 1.5 }))).toMatchObject({ ok: false, problem: expect.stringMatching(/^version/) });
    expect(parseUpserted(upserted({ title: '   ' }))).toMatchObject({ ok: false, problem: 'title: missing' });
    expect(parseUpserted(upserted({ startsAt: '2027-02-30T25:00' }))).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^startsAt/),
    });
    expect(parseEnded({ canonicalEventId: ID, version: 4 })).toEqual({ ok: true, value: { canonicalEventId: ID, version: 4 } });
    expect(parseEnded({ canonicalEventId: ID })).toMatchObject({ ok: false });
  });

  it('drop coordinates given alone and unknown zones', () => {
    const parsed = parseUpserted(upserted({ timeZone: 'Mars/Olympus', place: { latitude: 52.5, longitude: 500 } }));
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(parsed.value.fields).toMatchObject({ timeZone: null, latitude: null, longitude: null, locationName: null });
  });

  it('label places and slug titles readably', () => {
    expect(placeLabel({ text: 'Alexanderplatz, Berlin', city: 'Berlin' })).toBe('Alexanderplatz, Berlin');
    expect(placeLabel({ city: 'Lyon' })).toBe('Lyon');
    expect(sourceEventSlug('Fête de la Musique — Lyon!', ID)).toBe('fete-de-la-musique-lyon-7c9e6679');
    expect(sourceEventSlug('東京', ID)).toBe('event-7c9e6679');
  });
});

describe('Layer-1 versions', () => {
  const published = { status: 'PUBLISHED' as const, sourceVersion: 3 };

  it('apply only announcements newer than the stored version', () => {
    expect(decideSourceEvent({ kind: 'upserted', version: 1 }, null, null)).toEqual({
      action: 'write',
      version: 1,
      status: 'PUBLISHED',
    });
    expect(decideSourceEvent({ kind: 'upserted', version: 3 }, published, null)).toEqual({ action: 'ignore', reason: 'stale' });
    expect(decideSourceEvent({ kind: 'upserted', version: 2 }, published, null)).toEqual({ action: 'ignore', reason: 'stale' });
    expect(decideSourceEvent({ kind: 'upserted', version: 4 }, published, null)).toEqual({
      action: 'write',
      version: 4,
      status: 'PUBLISHED',
    });
  });

  it('cancel visibly, withdraw by archiving, and let a newer version bring an event back', () => {
    expect(decideSourceEvent({ kind: 'cancelled', version: 4 }, published, null)).toEqual({
      action: 'set-status',
      version: 4,
      status: 'CANCELLED',
    });
    expect(decideSourceEvent({ kind: 'withdrawn', version: 5 }, published, null)).toEqual({
      action: 'set-status',
      version: 5,
      status: 'ARCHIVED',
    });
    expect(decideSourceEvent({ kind: 'upserted', version: 6 }, { status: 'ARCHIVED', sourceVersion: 5 }, null)).toEqual({
      action: 'write',
      version: 6,
      status: 'PUBLISHED',
    });
  });

  it('remember an ending that overtook its event, and apply it when the older data arrives', () => {
    const first = decideSourceEvent({ kind: 'withdrawn', version: 3 }, null, null);
    expect(first).toEqual({ action: 'remember', version: 3, status: 'ARCHIVED' });
    const tombstone = { version: 3, status: 'ARCHIVED' as const };
    expect(decideSourceEvent({ kind: 'upserted', version: 2 }, null, tombstone)).toEqual({
      action: 'write',
      version: 3,
      status: 'ARCHIVED',
    });
    expect(decideSourceEvent({ kind: 'upserted', version: 4 }, null, tombstone)).toEqual({
      action: 'write',
      version: 4,
      status: 'PUBLISHED',
    });
    expect(decideSourceEvent({ kind: 'cancelled', version: 2 }, null, tombstone)).toEqual({ action: 'ignore', reason: 'stale' });
  });
});

describe('cancelled events', () => {
  it('are a public status reached from any public status, and archived after', () => {
    expect(PUBLIC_STATUSES).toContain('CANCELLED');
    for (const from of ['PUBLISHED', 'ON_SALE', 'PAUSED', 'CLOSED'] as const)
      expect(checkEventTransition(from, 'CANCELLED').ok).toBe(true);
    expect(checkEventTransition('DRAFT', 'CANCELLED')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    expect(checkEventTransition('CANCELLED', 'PUBLISHED')).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    expect(checkEventTransition('CANCELLED', 'ARCHIVED').ok).toBe(true);
  });

  it('announce a cancellation once: cancelling, or archiving what the public saw', () => {
    expect(announcesCancellation('PUBLISHED', 'CANCELLED')).toBe(true);
    expect(announcesCancellation('ON_SALE', 'ARCHIVED')).toBe(true);
    expect(announcesCancellation('CANCELLED', 'ARCHIVED')).toBe(false);
    expect(announcesCancellation('DRAFT', 'ARCHIVED')).toBe(false);
  });

  it('stay visible to the public and show as cancelled in calendars', () => {
    const layer1 = { status: 'CANCELLED', organizationId: null, ownerUserId: null, visibility: 'PUBLIC' };
    expect(canSeeEvent(ANONYMOUS, layer1)).toBe(true);
    expect(canSeeEvent(ANONYMOUS, { ...layer1, status: 'ARCHIVED' })).toBe(false);
    expect(calendarStatus('CANCELLED')).toBe('CANCELLED');
  });
});

describe('Layer-1 events elsewhere', () => {
  it('are stood in for by a matching own event of a user', () => {
    const base: MatchableEvent = {
      id: ID,
      organizationId: null,
      ownerUserId: null,
      title: 'Jazz im Hof',
      startsAt: new Date('2027-07-01T18:00:00Z'),
      endsAt: new Date('2027-07-01T22:00:00Z'),
      status: 'PUBLISHED',
      venueId: null,
      latitude: 52.539,
      longitude: 13.413,
    };
    const own = { ...base, id: 'own', ownerUserId: '00000000-0000-4000-8000-0000000000a1', status: 'DRAFT' };
    expect(replacement(own, base)).toBe('automatic');
  });

  it('render all-day events as DATE values', () => {
    const ics = renderCalendar({
      name: 'Layer 1',
      events: [
        {
          id: ID,
          title: 'Stadtfest',
          description: '',
          startsAt: new Date('2027-07-01T00:00:00Z'),
          endsAt: new Date('2027-07-03T00:00:00Z'),
          allDay: true,
          status: 'CANCELLED',
          categories: ['festival'],
          sequence: 2,
          createdAt: new Date('2027-01-01T00:00:00Z'),
          updatedAt: new Date('2027-01-02T00:00:00Z'),
          venue: { name: 'Altstadt, Lyon', timeZone: 'UTC' },
        },
      ],
    });
    expect(ics).toContain('DTSTART;VALUE=DATE:20270701\r\n');
    expect(ics).toContain('DTEND;VALUE=DATE:20270703\r\n');
    expect(ics).toContain('STATUS:CANCELLED\r\n');
  });
});
