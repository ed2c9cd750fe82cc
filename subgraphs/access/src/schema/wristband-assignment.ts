import { badInput, notFound, parseId, requirePermission } from '@eventgraph/runtime';
import { builder } from '../builder';
import { readableSeries } from './series';

/** Wristband ids or nfc ids per call; a whole category has no limit (it runs in the database). */
const MAX_ITEMS = 1000;

interface AssignmentError {
  index: number;
  value: string;
  code: string;
  message: string;
}

interface AssignmentReport {
  assigned: number;
  alreadyAssigned: number;
  failed: number;
  errors: AssignmentError[];
}

const AssignmentErrorRef = builder.objectRef<AssignmentError>('WristbandAssignmentError').implement({
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'position in wristbandIds or nfcIds' }),
    value: t.exposeString('value', { description: 'the id or nfc id as given' }),
    code: t.exposeString('code', { description: 'NOT_FOUND, UNKNOWN_NFC_ID, SERIES_OF_OTHER_EVENT or WRISTBAND_REPLACED' }),
    message: t.exposeString('message'),
  }),
});

const AssignmentReportRef = builder.objectRef<AssignmentReport>('WristbandAssignmentReport').implement({
  fields: (t) => ({
    assigned: t.exposeInt('assigned', { description: 'assignments made now' }),
    alreadyAssigned: t.exposeInt('alreadyAssigned', { description: 'wristbands that were assigned already (nothing to do)' }),
    failed: t.exposeInt('failed'),
    errors: t.field({ type: [AssignmentErrorRef], resolve: (r) => r.errors }),
  }),
});

builder.mutationFields((t) => ({
  assignWristbands: t.field({
    type: AssignmentReportRef,
    description: `Assigns many wristbands of the series' event to it, by wristbandIds or nfcIds (at most ${MAX_ITEMS}) or a whole category (replaced wristbands aside); exactly one of them. Idempotent: wristbands already assigned are counted, not changed. Items that cannot be assigned are reported one by one; the others are assigned.`,
    args: {
      seriesId: t.arg.id({ required: true }),
      wristbandIds: t.arg.idList(),
      nfcIds: t.arg.stringList(),
      category: t.arg.string(),
    },
    resolve: async (_root, args, ctx) => {
      const seriesId = parseId('seriesId', args.seriesId);
      const series = await readableSeries(ctx, seriesId);
      if (!series) throw notFound('EventSeries', seriesId);
      requirePermission(ctx.principal, 'wristbands.assign', series.organizationId);
      const given = [args.wristbandIds, args.nfcIds, args.category].filter((v) => v !== null && v !== undefined);
      if (given.length !== 1) throw badInput('wristbandIds', 'give exactly one of wristbandIds, nfcIds or category');
      const list = args.wristbandIds ?? args.nfcIds;
      if (list && list.length > MAX_ITEMS)
        throw badInput(args.wristbandIds ? 'wristbandIds' : 'nfcIds', `at most ${MAX_ITEMS} per call`);

      const errors: AssignmentError[] = [];
      const chosen: string[] = [];
      if (args.category !== null && args.category !== undefined) {
        return ctx.transact(async (tx, announce) => {
          const category = args.category!.trim().toUpperCase();
          const [{ matching }] = await tx.$queryRawUnsafe<[{ matching: number }]>(
            `SELECT count(*)::int AS matching FROM "Wristband" WHERE "eventId" = $1::uuid AND "category" = $2 AND "status" <> 'REPLACED'`,
            series.eventId,
            category,
          );
          const assigned = await tx.$executeRawUnsafe(
            `INSERT INTO "WristbandAssignment" ("wristbandId", "seriesId")
             SELECT "id", $3::uuid FROM "Wristband" WHERE "eventId" = $1::uuid AND "category" = $2 AND "status" <> 'REPLACED'
             ON CONFLICT DO NOTHING`,
            series.eventId,
            category,
            seriesId,
          );
          if (assigned)
            await announce('wristbands.assigned', {
              seriesId,
              eventId: series.eventId,
              organizationId: series.organizationId,
              assigned,
            });
          return { assigned, alreadyAssigned: matching - assigned, failed: 0, errors };
        });
      }
      if (args.wristbandIds) {
        const ids = args.wristbandIds.map((id, i) => parseId(`wristbandIds[${i}]`, id));
        const found = new Map((await ctx.db.wristband.findMany({ where: { id: { in: ids } } })).map((w) => [w.id, w]));
        ids.forEach((id, index) => {
          const w = found.get(id);
          if (!w || w.organizationId !== series.organizationId)
            errors.push({
              index,
              value: String(args.wristbandIds![index]),
              code: 'NOT_FOUND',
              message: `wristband ${id} was not found`,
            });
          else if (w.eventId !== series.eventId)
            errors.push({ index, value: id, code: 'SERIES_OF_OTHER_EVENT', message: `wristband ${id} belongs to another event` });
          else if (w.status === 'REPLACED')
            errors.push({
              index,
              value: id,
              code: 'WRISTBAND_REPLACED',
              message: `wristband ${id} was replaced; assign its replacement`,
            });
          else chosen.push(id);
        });
      } else {
        const nfcIds = args.nfcIds!.map((n) => n.trim());
        const found = new Map(
          (await ctx.db.wristband.findMany({ where: { eventId: series.eventId, nfcId: { in: nfcIds } } })).map((w) => [
            w.nfcId,
            w,
          ]),
        );
        nfcIds.forEach((nfcId, index) => {
          const w = found.get(nfcId);
          if (!w)
            errors.push({
              index,
              value: nfcId,
              code: 'UNKNOWN_NFC_ID',
              message: `no wristband with nfc id ${nfcId} at this event`,
            });
          else if (w.status === 'REPLACED')
            errors.push({
              index,
              value: nfcId,
              code: 'WRISTBAND_REPLACED',
              message: `wristband ${nfcId} was replaced; assign its replacement`,
            });
          else chosen.push(w.id);
        });
      }
      const unique = [...new Set(chosen)];
      return ctx.transact(async (tx, announce) => {
        const { count } = await tx.wristbandAssignment.createMany({
          data: unique.map((wristbandId) => ({ wristbandId, seriesId })),
          skipDuplicates: true,
        });
        if (count)
          await announce('wristbands.assigned', {
            seriesId,
            eventId: series.eventId,
            organizationId: series.organizationId,
            assigned: count,
          });
        return { assigned: count, alreadyAssigned: unique.length - count, failed: errors.length, errors };
      });
    },
  }),
}));
