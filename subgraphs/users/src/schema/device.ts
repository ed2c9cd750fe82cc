import { randomUUID } from 'node:crypto';
import {
  afterWhere,
  can,
  decodeCursor,
  DomainError,
  encodeCursor,
  ErrorCode,
  notFound,
  pageOf,
  pageSize,
  parseId,
  requirePermission,
  requireText,
} from '@eventgraph/runtime';
import { builder } from '../builder';
import type { UsersContext } from '../context';
import { deviceUsable, PROVISIONING_HOURS } from '../domain/api-keys';
import type { Device } from '../generated/prisma/client';
import { ownGates } from '../known-gates';
import {
  DEVICE_CREDENTIAL_PREFIX,
  issueCredential,
  parseCredential,
  PROVISIONING_PREFIX,
  secretMatches,
} from '../security/credentials';
import { connectionType, pageArgs, pageListSize } from './connection';

export const DeviceRef = builder.objectRef<Device>('Device').implement({
  description: "A scanner at an organisation's gates.",
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    allowedGateIds: t.exposeIDList('allowedGateIds'),
    active: t.boolean({ resolve: (d) => deviceUsable(d) }),
    credentialIssuedAt: t.expose('credentialIssuedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const DeviceConnectionRef = connectionType('Device', DeviceRef);

interface DeviceSecret {
  device: Device;
  token: string;
}

const ProvisioningRef = builder.objectRef<DeviceSecret>('DeviceProvisioning').implement({
  description: 'A registered device and its one-time provisioning token (shown once; valid for a day).',
  fields: (t) => ({
    device: t.field({ type: DeviceRef, resolve: (x) => x.device }),
    provisioningToken: t.exposeString('token'),
  }),
});

const CredentialRef = builder.objectRef<DeviceSecret>('DeviceCredential').implement({
  description: "The device's own credential: shown once; send as `Authorization: Bearer <credential>`.",
  fields: (t) => ({
    device: t.field({ type: DeviceRef, resolve: (x) => x.device }),
    credential: t.exposeString('token'),
  }),
});

async function managedDevice(ctx: UsersContext, id: string): Promise<Device> {
  const device = await ctx.db.device.findUnique({ where: { id } });
  if (!device || !can(ctx.principal, 'organization.read', device.organizationId)) throw notFound('Device', id);
  requirePermission(ctx.principal, 'integrations.manage', device.organizationId);
  return device;
}

builder.queryFields((t) => ({
  devices: t.field({
    type: DeviceConnectionRef,
    description: "the organisation's scanners, oldest first (revoked ones too)",
    args: { organizationId: t.arg.id({ required: true }), ...pageArgs(t.arg) },
    listSize: pageListSize,
    resolve: async (_root, args, ctx) => {
      const organizationId = parseId('organizationId', args.organizationId);
      requirePermission(ctx.principal, 'integrations.manage', organizationId);
      const first = pageSize(args.first);
      const after = args.after != null ? decodeCursor(args.after, 'time') : null;
      const where = { organizationId };
      const rows = await ctx.db.device.findMany({
        where: after ? { AND: [where, afterWhere('createdAt', after)] } : where,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: first + 1,
      });
      return pageOf(rows, first, {
        after: args.after,
        cursorOf: (d) => encodeCursor(d.createdAt, d.id),
        count: () => ctx.db.device.count({ where }),
      });
    },
  }),
}));

builder.mutationFields((t) => ({
  registerDevice: t.field({
    type: ProvisioningRef,
    description: "Registers a scanner for some of the organisation's own gates (any other gate id is NOT_FOUND).",
    args: {
      organizationId: t.arg.id({ required: true }),
      name: t.arg.string({ required: true }),
      gateIds: t.arg.idList({ required: true }),
    },
    resolve: async (_root, args, ctx) => {
      const organizationId = parseId('organizationId', args.organizationId);
      requirePermission(ctx.principal, 'integrations.manage', organizationId);
      const name = requireText('name', args.name, 80);
      const allowedGateIds = await ownGates(ctx.db, organizationId, args.gateIds);
      const id = randomUUID();
      const provisioning = issueCredential(PROVISIONING_PREFIX, id);
      const device = await ctx.db.device.create({
        data: {
          id,
          organizationId,
          name,
          allowedGateIds,
          provisioningHash: provisioning.hash,
          provisioningExpiresAt: new Date(Date.now() + PROVISIONING_HOURS * 3600_000),
        },
      });
      return { device, token: provisioning.token };
    },
  }),

  provisionDevice: t.field({
    type: CredentialRef,
    description: 'Run by the device itself: exchanges the one-time provisioning token for its own credential.',
    args: { provisioningToken: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const parts = parseCredential(PROVISIONING_PREFIX, args.provisioningToken);
      const device = parts ? await ctx.db.device.findUnique({ where: { id: parts.id } }) : null;
      const valid =
        device &&
        !device.revokedAt &&
        secretMatches(parts!.secret, device.provisioningHash) &&
        device.provisioningExpiresAt! > new Date();
      if (!valid)
        throw new DomainError(ErrorCode.UNAUTHENTICATED, 'the provisioning token is not valid (used, expired or unknown)');
      const credential = issueCredential(DEVICE_CREDENTIAL_PREFIX, device.id);
      // the WHERE on the hash makes the exchange one-time even under concurrent attempts
      const { count } = await ctx.db.device.updateMany({
        where: { id: device.id, provisioningHash: device.provisioningHash },
        data: {
          provisioningHash: null,
          provisioningExpiresAt: null,
          credentialHash: credential.hash,
          credentialIssuedAt: new Date(),
        },
      });
      if (count !== 1) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'the provisioning token was already used');
      return { device: (await ctx.db.device.findUnique({ where: { id: device.id } }))!, token: credential.token };
    },
  }),

  rollDeviceCredential: t.field({
    type: CredentialRef,
    description: 'Issues a new credential for the device; the previous one stops at once.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const device = await managedDevice(ctx, parseId('id', args.id));
      if (device.revokedAt) throw new DomainError(ErrorCode.CONFLICT, 'a revoked device cannot be given a credential');
      const credential = issueCredential(DEVICE_CREDENTIAL_PREFIX, device.id);
      const updated = await ctx.transact(async (tx, announce) => {
        const rolled = await tx.device.update({
          where: { id: device.id },
          data: { credentialHash: credential.hash, credentialIssuedAt: new Date() },
        });
        await announce('device.changed', { organizationId: device.organizationId, deviceId: device.id });
        return rolled;
      });
      return { device: updated, token: credential.token };
    },
  }),

  updateDeviceGates: t.field({
    type: DeviceRef,
    args: { id: t.arg.id({ required: true }), gateIds: t.arg.idList({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const device = await managedDevice(ctx, parseId('id', args.id));
      const allowedGateIds = await ownGates(ctx.db, device.organizationId, args.gateIds);
      return ctx.transact(async (tx, announce) => {
        const updated = await tx.device.update({ where: { id: device.id }, data: { allowedGateIds } });
        await announce('device.changed', { organizationId: device.organizationId, deviceId: device.id });
        return updated;
      });
    },
  }),

  revokeDevice: t.field({
    type: DeviceRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const device = await managedDevice(ctx, parseId('id', args.id));
      return ctx.transact(async (tx, announce) => {
        const revoked = await tx.device.update({
          where: { id: device.id },
          data: { revokedAt: device.revokedAt ?? new Date(), credentialHash: null, provisioningHash: null },
        });
        await announce('device.changed', { organizationId: device.organizationId, deviceId: device.id });
        return revoked;
      });
    },
  }),
}));
