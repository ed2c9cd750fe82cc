import { loaderById, loaderByParent, type SubgraphContext } from '@eventgraph/runtime';
import type { Membership, Organization, User } from './generated/prisma/client';
import type { PrismaClient, Prisma } from './generated/prisma/client';
import { mailerFor, type Mailer } from './mail/mailer';

export type UsersDb = PrismaClient;
export type UsersTx = Prisma.TransactionClient;

export interface UsersContext extends SubgraphContext<UsersDb, UsersTx> {
  loaders: ReturnType<typeof createLoaders>;
  mailer: Mailer;
}

function createLoaders(db: UsersDb) {
  return {
    user: loaderById<User>((ids) => db.user.findMany({ where: { id: { in: [...ids] } } })),
    organization: loaderById<Organization>((ids) => db.organization.findMany({ where: { id: { in: [...ids] } } })),
    membership: loaderById<Membership>((ids) => db.membership.findMany({ where: { id: { in: [...ids] } } })),
    membershipsOfUser: loaderByParent<Membership>(
      (ids) => db.membership.findMany({ where: { userId: { in: [...ids] } } }),
      (m) => m.userId,
    ),
  };
}

const mailer = mailerFor(process.env.NODE_ENV);

export const createContext = (base: SubgraphContext<UsersDb, UsersTx>): UsersContext => ({
  ...base,
  loaders: createLoaders(base.db),
  mailer,
});
