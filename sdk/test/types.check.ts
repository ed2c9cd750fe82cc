// Compile-time checks of the SDK's typing (checked by `tsc -p sdk`, never run).
import { parse } from 'graphql';
import {
  CheckInRecordedDocument,
  EventDetailsDocument,
  OrganizationEventsDocument,
  isEventgraphError,
  paginate,
  SearchEventsDocument,
  SourcesDocument,
  type ApiErrorCode,
  type CheckInRecordedSubscription,
  type ClientErrorCode,
  type EventgraphError,
  type EventDetailsQuery,
  type EventgraphClient,
  type EventgraphEventStream,
  type EventgraphSubscription,
  type SourcesQuery,
} from '../src';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assert = <T extends true>(_: T) => undefined;

export async function typing(c: EventgraphClient, anyValue: any) {
  // results are typed by the document, also when a variable's value is `any`
  const _event = await c.request(EventDetailsDocument, { id: anyValue });
  assert<Equal<typeof _event, EventDetailsQuery>>(true);
  // variables may be left out when there are none, or none required
  const _sources = await c.request(SourcesDocument);
  assert<Equal<typeof _sources, SourcesQuery>>(true);
  await c.request(OrganizationEventsDocument, { organizationId: '1' });
  // @ts-expect-error a required variable is missing
  await c.request(EventDetailsDocument);
  // @ts-expect-error an unknown variable
  await c.request(EventDetailsDocument, { eventId: '1' });
  // @ts-expect-error a wrong variable type
  await c.request(OrganizationEventsDocument, { organizationId: '1', first: 'ten' });

  const _stream = c.subscribe(CheckInRecordedDocument);
  assert<Equal<typeof _stream, EventgraphSubscription<CheckInRecordedSubscription>>>(true);
  // server-sent events: typed as subscribe, options after the variables
  const _events = c.stream(CheckInRecordedDocument, { seriesId: '1' }, { onReset: () => undefined });
  assert<Equal<typeof _events, EventgraphEventStream<CheckInRecordedSubscription>>>(true);
  // @ts-expect-error an unknown variable
  c.stream(CheckInRecordedDocument, { eventId: '1' });
  for await (const change of c.subscribe(CheckInRecordedDocument, { seriesId: '1' })) {
    const allowed: boolean = change.checkInRecorded.allowed;
    void allowed;
  }

  // untyped documents work too, typed by the caller
  const _raw = await c.request<{ a: number }>(parse('{ a }'));
  assert<Equal<typeof _raw, { a: number }>>(true);
  const _plain = await c.request('{ a }');
  assert<Equal<typeof _plain, Record<string, any>>>(true);
}

// the error code is a closed union: an unknown code does not compile, and a switch over it can be exhaustive
export function codes(err: EventgraphError): string {
  // @ts-expect-error not a code of the API or the client
  if (err.code === 'NOT_A_CODE') return 'never';
  if (isEventgraphError(err, 'RATE_LIMITED')) assert<Equal<typeof err.code, 'RATE_LIMITED'>>(true);
  const clientSide = (code: ClientErrorCode): string => {
    switch (code) {
      case 'NETWORK_ERROR':
      case 'TIMEOUT':
      case 'BAD_RESPONSE':
      case 'CONNECTION_CLOSED':
      case 'PROTOCOL_ERROR':
      case 'CLIENT_CLOSED':
      case 'UNKNOWN':
        return code;
      default: {
        const unreachable: never = code;
        return unreachable;
      }
    }
  };
  const _api: ApiErrorCode = 'PERSISTED_QUERY_NOT_FOUND';
  return clientSide('TIMEOUT');
}

// paginate yields the connection's node type
export async function pages(c: EventgraphClient) {
  for await (const event of paginate(c, SearchEventsDocument, { filter: { text: 'x' } }, (d) => d.searchEvents)) {
    const title: string = event.title;
    void title;
  }
  // @ts-expect-error `after` is the iterator's to set
  paginate(c, SearchEventsDocument, { after: 'x' }, (d) => d.searchEvents);
}
