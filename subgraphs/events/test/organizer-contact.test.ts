import {
  contactOf,
  organizerContactColumns,
  parseContactEmail,
  parseContactName,
  parseContactPhone,
} from '../src/domain/organizer-contact';
import { ANONYMISED_OWN_EVENT } from '../src/domain/privacy';
import { eventsRetention } from '../src/domain/retention';

describe("an event's organiser contact", () => {
  it('takes e-mail addresses in their usual shape, the domain lower-cased', () => {
    expect(parseContactEmail('e', ' Info.Desk+events@Jazz-Club.Example.ORG ')).toEqual({
      value: 'Info.Desk+events@jazz-club.example.org',
    });
    for (const bad of [
      'info',
      'info@',
      '@example.org',
      'a b@example.org',
      'info@example',
      'info@-x.org',
      'a..b@example.org',
      'info@example.o',
      'info@exa_mple.org',
      `${'a'.repeat(65)}@example.org`,
      `a@${'b'.repeat(250)}.org`,
      'mailto:a@b.org',
    ])
      expect(parseContactEmail('e', bad)).toEqual({ field: 'e', message: expect.any(String) });
  });

  it('takes international phone numbers and stores them as E.164', () => {
    expect(parseContactPhone('p', '+49 30 1234-567')).toEqual({ value: '+49301234567' });
    expect(parseContactPhone('p', '+1 (555) 010.0199')).toEqual({ value: '+15550100199' });
    expect(parseContactPhone('p', '0044 20 7946 0958')).toEqual({ value: '+442079460958' });
    expect(parseContactPhone('p', '030 1234567')).toMatchObject({ message: expect.stringMatching(/country code/) });
    expect(parseContactPhone('p', '+0 301234567')).toMatchObject({ message: expect.stringMatching(/does not start with 0/) });
    expect(parseContactPhone('p', '+49 30')).toMatchObject({ message: expect.stringMatching(/8 to 15 digits/) });
    expect(parseContactPhone('p', '+49 3012 3456 7890 1234')).toMatchObject({ message: expect.stringMatching(/8 to 15/) });
    expect(parseContactPhone('p', '+49 30 CALL-NOW')).toMatchObject({ field: 'p' });
  });

  it('takes a name of at most 120 characters on one line', () => {
    expect(parseContactName('n', '  Ada \n Lovelace ')).toEqual({ value: 'Ada Lovelace' });
    expect(parseContactName('n', 'x'.repeat(121))).toMatchObject({ message: 'at most 120 characters' });
    expect(parseContactName('n', 'Ada\u0007')).toMatchObject({ message: expect.stringMatching(/control/) });
  });

  it('is written whole: parts left out or blank are cleared, null clears all; problems name their field', () => {
    expect(organizerContactColumns({ name: 'Box office', email: 'tickets@example.org' })).toEqual({
      columns: { contactName: 'Box office', contactEmail: 'tickets@example.org', contactPhone: null },
      problems: [],
    });
    expect(organizerContactColumns({ name: ' ', phone: '' }).columns).toEqual({
      contactName: null,
      contactEmail: null,
      contactPhone: null,
    });
    expect(organizerContactColumns(null).columns).toEqual({ contactName: null, contactEmail: null, contactPhone: null });
    expect(organizerContactColumns({ email: 'nope', phone: '12345' }).problems.map((p) => p.field)).toEqual([
      'organizerContact.email',
      'organizerContact.phone',
    ]);
  });

  it('is shown when it has a part, and not otherwise', () => {
    expect(contactOf({ contactName: null, contactEmail: 'a@b.org', contactPhone: null })).toEqual({
      name: null,
      email: 'a@b.org',
      phone: null,
    });
    expect(contactOf({ contactName: null, contactEmail: null, contactPhone: null })).toBeNull();
  });

  it("goes when an anonymised own event's owner is erased", () => {
    expect(ANONYMISED_OWN_EVENT).toMatchObject({ contactName: null, contactEmail: null, contactPhone: null });
  });
});

describe('events retention rules', () => {
  it('keep organiser contacts 183 days after the event by default, or as configured', () => {
    expect(eventsRetention({})).toEqual({ contactDays: 183 });
    expect(eventsRetention({ EVENTS_RETENTION_CONTACT_DAYS: '0' })).toEqual({ contactDays: 0 });
    expect(() => eventsRetention({ EVENTS_RETENTION_CONTACT_DAYS: 'six months' })).toThrow(/EVENTS_RETENTION_CONTACT_DAYS/);
  });
});
