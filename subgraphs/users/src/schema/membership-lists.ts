import {
  afterWhere,
  can,
  decodeCursor,
  emptyConnection,
  encodeCursor,
  pageOf,
  pageSize,
  parseId,
  requirePermission,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import type { Membership } from '../generated/prisma/client';
import { connectionType, pageArgs, pageListSize } from './connection';
import { InvitationRef, MembershipRef } from './membership';
import { OrganizationRef } from './organization';

/** The lists of an organisation's people: its members and the invitations its admins sent. */
const MembershipConnectionRef = connectionType('Membership', MembershipRef);
const InvitationConnectionRef = connectionType('Invitation', InvitationRef);

builder.objectField(OrganizationRef, 'memberships', (t) =>
  t.field({
    type: MembershipConnectionRef,
    description: "the organisation's members, earliest first; empty unless the caller may read the organisation",
    args: pageArgs(t.arg),
    listSize: pageListSize,
    resolve: async (org, args, ctx) => {
      const first = pageSize(args.first);
      const after = args.after != null ? decodeCursor(args.after, 'time') : null;
      // nobody else learns who belongs
      if (!can(ctx.principal, 'organization.read', org.id)) return emptyConnection<Membership>();
      const where = { organizationId: org.id };
      const rows = await ctx.db.membership.findMany({
        where: after ? { AND: [where, afterWhere('createdAt', after)] } : where,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: first + 1,
      });
      return pageOf(rows, first, {
        after: args.after,
        cursorOf: (m) => encodeCursor(m.createdAt, m.id),
        count: () => ctx.db.membership.count({ where }),
      });
    },
  }),
);

builder.queryFields((t) => ({
  invitations: t.field({
    type: InvitationConnectionRef,
    description: "the organisation's invitations in every state, newest first; for its admins",
    args: { organizationId: t.arg.id({ required: true }), ...pageArgs(t.arg) },
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      const organizationId = parseId('organizationId', args.organizationId);
      requirePermission(ctx.principal, 'members.manage', organizationId);
      const first = pageSize(args.first);
      const after = args.after != null ? decodeCursor(args.after, 'time') : null;
      const where = { organizationId };
      const rows = await ctx.db.invitation.findMany({
        where: after ? { AND: [where, afterWhere('createdAt', after, 'desc')] } : where,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: first + 1,
      });
      return pageOf(rows, first, {
        after: args.after,
        cursorOf: (i) => encodeCursor(i.createdAt, i.id),
        count: () => ctx.db.invitation.count({ where }),
      });
    },
  }),
}));
