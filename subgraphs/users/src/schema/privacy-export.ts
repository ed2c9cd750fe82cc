import { DomainError, ErrorCode, requireAuthenticated, requireDataSubject } from '@eventgraph/runtime';
import { builder } from '../builder';
import { usersPartOfExport } from '../privacy/export';

interface PersonalDataExport {
  userId: string;
  generatedAt: Date;
}

/**
 * A person's data export: this subgraph's part (`users`), and every other subgraph's part as a field of its
 * own on the same entity (`events`, `access`, `ingest`), gathered by the gateway's query plan.
 */
const PersonalDataExportRef = builder.objectRef<PersonalDataExport>('PersonalDataExport');

builder.asEntity(PersonalDataExportRef, {
  key: builder.selection<{ userId: string }>('userId'),
  resolveReference: ({ userId }) => ({ userId, generatedAt: new Date() }),
});

PersonalDataExportRef.implement({
  description: 'Everything the platform holds about the signed-in user, one machine-readable JSON document per subgraph.',
  fields: (t) => ({
    userId: t.exposeID('userId'),
    generatedAt: t.expose('generatedAt', { type: 'DateTime' }),
    users: t.field({
      type: 'JSONDocument',
      description: 'account, preferences, memberships, sessions, RSVPs, follows, notifications',
      resolve: (e, _args, ctx) => {
        requireDataSubject(ctx.principal, e.userId);
        return usersPartOfExport(ctx.db, e.userId);
      },
    }),
  }),
});

builder.queryFields((t) => ({
  exportMyData: t.field({
    type: PersonalDataExportRef,
    description:
      "The signed-in user's data export: select users, events, access and ingest for every subgraph's part (JSON documents).",
    resolve: (_root, _args, ctx) => {
      requireAuthenticated(ctx.principal);
      if (ctx.principal.kind !== 'user')
        throw new DomainError(ErrorCode.FORBIDDEN, 'only a signed-in user can export their data');
      return { userId: ctx.principal.id!, generatedAt: new Date() };
    },
  }),
}));
