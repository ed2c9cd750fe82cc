import { builder } from '../builder';
import { contactOf, type OrganizerContact } from '../domain/organizer-contact';
import { canSeeOrganizerContact } from '../visibility';
import { EventRef } from './event';

/** The organiser contact of an event: the type, who reads it, and the input it is set with (event-inputs.ts). */
const OrganizerContactRef = builder.objectRef<OrganizerContact>('OrganizerContact').implement({
  description: 'Whom attendees ask about an event, as its organiser gave it. Each part is optional.',
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true }),
    email: t.exposeString('email', { nullable: true }),
    phone: t.exposeString('phone', { nullable: true, description: 'E.164, e.g. +4930123456' }),
  }),
});

export const OrganizerContactInput = builder.inputType('OrganizerContactInput', {
  description:
    'Replaces the whole contact (a part left out or blank is cleared; null for the contact clears it all). email: an address such as info@example.org (at most 254 characters); phone: international, with + and the country code (8 to 15 digits; stored as E.164); name: at most 120 characters.',
  fields: (t) => ({
    name: t.string(),
    email: t.string(),
    phone: t.string(),
  }),
});

builder.objectField(EventRef, 'organizerContact', (t) =>
  t.field({
    type: OrganizerContactRef,
    nullable: true,
    description:
      'whom to ask about the event, for anyone who may see it and is signed in or calls with an API key (null for anonymous callers, so it cannot be harvested from public pages); blanked six months after the event ended',
    resolve: (event, _args, ctx) => (canSeeOrganizerContact(ctx.principal) ? contactOf(event) : null),
  }),
);
