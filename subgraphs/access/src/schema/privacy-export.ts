import { requireDataSubject } from '@eventgraph/runtime';
import { builder } from '../builder';
import { accessPartOfExport } from '../privacy/export';

/** This subgraph's part of a person's data export (the entity belongs to users: see its exportMyData). */
const PersonalDataExportRef = builder.objectRef<{ userId: string }>('PersonalDataExport');

builder.asEntity(PersonalDataExportRef, {
  key: builder.selection<{ userId: string }>('userId'),
  resolveReference: ({ userId }) => ({ userId }),
});

PersonalDataExportRef.implement({
  fields: (t) => ({
    userId: t.exposeID('userId'),
    access: t.field({
      type: 'JSONDocument',
      description: 'holds, bookings and their tickets, waitlist entries',
      resolve: (e, _args, ctx) => {
        requireDataSubject(ctx.principal, e.userId);
        return accessPartOfExport(ctx.db, e.userId);
      },
    }),
  }),
});
