import { builder } from '../builder';

/** Users belong to the users subgraph; events only points at the owner of a user's own event. */
export const UserRef = builder.externalRef('User', builder.selection<{ id: string }>('id')).implement({
  fields: (t) => ({ id: t.exposeID('id') }),
});
