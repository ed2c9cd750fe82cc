import { Readable } from 'node:stream';
import { requireText, parseId } from '@eventgraph/runtime';
import { builder } from '../builder';
import type { ImportError } from '../domain/import-rows';
import { importTarget, type ImportMode } from '../imports/common';
import { importTickets, type TicketImportReport } from '../imports/tickets';
import { importWristbands, type WristbandImportReport } from '../imports/wristbands';

/**
 * Small imports through GraphQL (the gateway takes bodies up to 1 MB); large files go to the gateway's
 * streamed routes POST /imports/wristbands and /imports/tickets, which share the same import code.
 */

const ImportModeEnum = builder.enumType('ImportMode', {
  values: {
    PARTIAL: { description: 'valid rows are imported, each failing row is reported' },
    ALL_OR_NOTHING: { description: 'one transaction: any failing row and nothing is imported' },
  },
});
const TicketFormatEnum = builder.enumType('TicketImportFormat', {
  values: {
    CSV: { description: 'external_id,category[,holder_name,holder_email,nfc_id,series,status] with a header row' },
    JSON: { description: 'an array of objects (or one object per line) with the same fields camelCased' },
  },
});

const ImportErrorRef = builder.objectRef<ImportError>('ImportError').implement({
  description: 'Why one row was not imported.',
  fields: (t) => ({
    line: t.exposeInt('line', { description: 'the line the row starts on' }),
    code: t.exposeString('code', {
      description:
        'MALFORMED_ROW, MISSING_FIELD, INVALID_VALUE, DUPLICATE_NFC_ID, DUPLICATE_EXTERNAL_ID, UNKNOWN_SERIES, SERIES_OF_OTHER_EVENT',
    }),
    field: t.exposeString('field', { nullable: true }),
    message: t.exposeString('message'),
  }),
});

type AnyReport = WristbandImportReport | TicketImportReport;

const ImportReportRef = builder.interfaceRef<AnyReport>('ImportReport').implement({
  description: 'What an import did; errors name the line, a stable code and the field of each row that was not imported.',
  fields: (t) => ({
    mode: t.field({ type: ImportModeEnum, resolve: (r) => r.mode }),
    committed: t.exposeBoolean('committed', { description: 'false when nothing was kept (all-or-nothing with errors)' }),
    rows: t.exposeInt('rows', { description: 'data rows read' }),
    failed: t.exposeInt('failed'),
    errors: t.field({ type: [ImportErrorRef], description: 'the first 1,000 errors', resolve: (r) => r.errors }),
    errorsTruncated: t.exposeBoolean('errorsTruncated', { description: 'more rows failed than errors lists' }),
  }),
});

const WristbandImportReportRef = builder.objectRef<WristbandImportReport>('WristbandImportReport').implement({
  interfaces: [ImportReportRef],
  isTypeOf: (r) => 'imported' in (r as object),
  fields: (t) => ({
    imported: t.exposeInt('imported'),
  }),
});

const TicketImportReportRef = builder.objectRef<TicketImportReport>('TicketImportReport').implement({
  interfaces: [ImportReportRef],
  isTypeOf: (r) => 'created' in (r as object),
  fields: (t) => ({
    created: t.exposeInt('created'),
    updated: t.exposeInt('updated'),
    unchanged: t.exposeInt('unchanged', { description: 'tickets already stored as imported: nothing written' }),
    wristbandsCreated: t.exposeInt('wristbandsCreated', { description: 'wristbands created for nfc ids the event did not know' }),
  }),
});

const modeOf = (allOrNothing: boolean | null | undefined): ImportMode => (allOrNothing ? 'ALL_OR_NOTHING' : 'PARTIAL');

builder.mutationFields((t) => ({
  importWristbands: t.field({
    type: WristbandImportReportRef,
    description:
      'Imports wristbands from CSV (header nfc_id,category[,series], series as ;-separated ids). For large files use POST /imports/wristbands on the gateway.',
    args: { eventId: t.arg.id({ required: true }), csv: t.arg.string({ required: true }), allOrNothing: t.arg.boolean() },
    resolve: async (_root, args, ctx) => {
      const target = await importTarget(ctx, parseId('eventId', args.eventId));
      return importWristbands(ctx, target, Readable.from([args.csv]), modeOf(args.allOrNothing));
    },
  }),
  importTickets: t.field({
    type: TicketImportReportRef,
    description:
      'Imports tickets of one ticketing system (source): created, updated or unchanged by their external id, so importing again is harmless. For large files use POST /imports/tickets on the gateway.',
    args: {
      eventId: t.arg.id({ required: true }),
      source: t.arg.string({ required: true }),
      format: t.arg({ type: TicketFormatEnum, required: true }),
      data: t.arg.string({ required: true }),
      allOrNothing: t.arg.boolean(),
    },
    resolve: async (_root, args, ctx) => {
      const source = requireText('source', args.source, 64);
      const target = await importTarget(ctx, parseId('eventId', args.eventId));
      return importTickets(ctx, target, source, args.format, Readable.from([args.data]), modeOf(args.allOrNothing));
    },
  }),
}));
