import { requireDataSubject } from '@eventgraph/runtime';
import { builder } from '../builder';
import { eventsPartOfExport } from '../privacy/export';

/** This subgraph's part of a person's data export (the entity belongs to users: see its exportMyData). */
const PersonalDataExportRef = builder.objectRef<{ userId: string }>('PersonalDataExport');

builder.asEntity(PersonalDataExportRef, {
  key: builder.selection<{ userId: string }>('userId'),
  resolveReference: ({ userId }) => ({ userId }),
});

PersonalDataExportRef.implement({
  fields: (t) => ({
    userId: t.exposeID('userId'),
    events: t.field({
      type: 'JSONDocument',
      description: 'own events, saved searches, calendar feeds, venue reports, follows',
      resolve: (e, _args, ctx) => {
        requireDataSubject(ctx.principal, e.userId);
        return eventsPartOfExport(ctx.db, e.userId);
      },
    }),
  }),
});
