import { requireDataSubject } from '@eventgraph/runtime';
import { builder } from '../builder';
import { ingestPartOfExport } from '../privacy/export';

/** This subgraph's part of a person's data export (the entity belongs to users: see its exportMyData). */
const PersonalDataExportRef = builder.objectRef<{ userId: string }>('PersonalDataExport');

builder.asEntity(PersonalDataExportRef, {
  key: builder.selection<{ userId: string }>('userId'),
  resolveReference: ({ userId }) => ({ userId }),
});

PersonalDataExportRef.implement({
  fields: (t) => ({
    userId: t.exposeID('userId'),
    ingest: t.field({
      type: 'JSONDocument',
      description: 'moderation decisions and split/merge rules made by the user',
      resolve: (e, _args, ctx) => {
        requireDataSubject(ctx.principal, e.userId);
        return ingestPartOfExport(ctx.db, e.userId);
      },
    }),
  }),
});
