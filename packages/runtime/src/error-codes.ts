/**
 * Every code the platform reports to clients, with what it means in one line.
 * A test (packages/runtime/test/error-codes.test.ts) scans the gateway, the
 * runtime and the subgraphs for code literals and fails on one missing here;
 * the SDK generates its closed union of codes from this file
 * (sdk/src/generated/error-codes.ts), and the API guide lists them.
 *
 * Add a code here in the same change that first sends it.
 */

/** Codes in `extensions.code` of a GraphQL error (over HTTP, graphql-ws and the gateway's JSON routes). */
export const ERROR_CODES = {
  // requests that never reached a resolver (graphql-js / Apollo Server vocabulary)
  BAD_REQUEST: 'the HTTP request is malformed: not JSON, too large, no query, or a CSRF-unsafe simple request',
  GRAPHQL_PARSE_FAILED: 'the document is not valid GraphQL syntax',
  GRAPHQL_VALIDATION_FAILED: 'the document does not match the API schema',
  OPERATION_RESOLUTION_FAILURE: 'the operation to run cannot be determined (missing or unknown operationName)',
  PERSISTED_QUERY_NOT_FOUND: 'no document is known under the requested hash: send the text, or use a published operation',
  PERSISTED_QUERY_NOT_SUPPORTED: 'documents by hash are not accepted here',
  METHOD_NOT_ALLOWED: 'the route does not take this HTTP method',
  UNSUPPORTED_MEDIA_TYPE: 'the request body has a Content-Type the route does not take',
  // operation limits (gateway)
  TOO_MANY_TOKENS: 'the document has more tokens than the gateway accepts',
  OPERATION_TOO_DEEP: 'the selection is nested deeper than the gateway accepts',
  TOO_MANY_ALIASES: 'the document uses more aliases than the gateway accepts',
  TOO_MANY_DIRECTIVES: 'the document uses more directives than the gateway accepts',
  OPERATION_TOO_COSTLY: 'the estimated cost of the operation is above the caller’s limit',
  INTROSPECTION_DISABLED: 'introspection is not available to this caller; use the published schema',
  // who is calling
  UNAUTHENTICATED: 'no valid credential: sign in again, or use a key or device credential that is not revoked',
  FORBIDDEN: 'the caller is known but may not do this',
  RATE_LIMITED: 'too many requests: retry after `extensions.retryAfterSeconds` (also the Retry-After header)',
  OVERLOADED: 'the server is past its load bounds and did not run the request: retry after `extensions.retryAfterSeconds`',
  UNTRUSTED_OPERATION: 'the API key is in trusted-documents mode and the operation is not registered for its app',
  ORIGIN_NOT_ALLOWED: 'the request comes from a browser origin the platform and the key’s partner app do not allow',
  // input and state
  BAD_USER_INPUT: 'an argument or input field is invalid; `extensions.field` names it',
  NOT_FOUND: 'the object does not exist, or is not visible to the caller',
  CONFLICT: 'the change collides with existing data or a concurrent change; read again and retry',
  ILLEGAL_TRANSITION: 'the lifecycle does not allow this status change from the current status',
  NO_CHANGE: 'the object is already in the requested status',
  // events
  EVENT_ARCHIVED: 'an archived event cannot change',
  EVENT_HAS_DEPENDENTS: 'the event cannot be deleted once series or tickets exist: archive it instead',
  // access: series, gates, wristbands, check-in, imports
  SERIES_OVERLAP: 'the series overlaps another series of the event',
  SERIES_NOT_EDITABLE: 'the series is in a status in which this cannot change',
  SERIES_NOT_RECURRING: 'the series has no recurrence pattern',
  SERIES_OF_OTHER_EVENT: 'a referenced series belongs to another event',
  GATE_OF_OTHER_EVENT: 'the gate belongs to another event',
  CHECKIN_WINDOW_OUTSIDE_SERIES: 'the check-in window lies outside the series’ start and end',
  CATEGORY_LIMIT_BELOW_INSIDE: 'a category limit would be lower than the number of people already inside',
  RECURRENCE_TOO_LONG: 'the recurrence pattern generates more occurrences than allowed',
  DUPLICATE_NFC_ID: 'a wristband with this NFC id already exists for the event',
  SCAN_ID_REUSED: 'the scan id was recorded before for a different wristband, gate or direction',
  MALFORMED_HEADER: 'the import file’s header is missing or names unknown columns',
  // users: notification preferences
  UNKNOWN_CATEGORY: 'a category is not in the platform’s taxonomy (`extensions.unknown`, `extensions.known`)',
  NEGATIVE_DISTANCE: 'a maximum distance is below zero kilometres',
  UNSUBSCRIBE_TOKEN_INVALID: 'the unsubscribe link is forged or mangled',
  UNSUBSCRIBE_TOKEN_EXPIRED: 'the unsubscribe link has expired: change the preferences after signing in',
  // access: ticket sales
  SOLD_OUT: 'fewer tickets of the type are left than the hold asks for (`extensions.ticketTypeId`, `available`)',
  SEAT_TAKEN: 'a seat the hold names is held or booked already (`extensions.seatIds`): nothing was held; choose others',
  SEAT_MAP_OF_OTHER_VENUE: 'the seat map is a layout of another venue than the event’s',
  HOLD_EXPIRED: 'the hold expired or was released and its tickets went back on sale: place a new hold',
  ORDER_LIMIT: 'the hold asks for more tickets than one order may take (`extensions.limit`)',
  SALES_CLOSED: 'the ticket type is not on sale now: the event is not ON_SALE, or outside its sale window (`extensions.reason`)',
  INVENTORY_OVER_CAPACITY: 'the event’s ticket types would add up to more tickets than its venue holds',
  TICKET_CANCELLED: 'the ticket was cancelled and admits no one',
  NOT_SOLD_OUT:
    'enough tickets of the type are left and nobody waits for them: hold them instead of joining its waitlist (`extensions.available`)',
  ALREADY_WAITING: 'the caller is on the type’s waitlist already for another quantity (`extensions.entryId`): leave it first',
  // users: memberships, invitations, webhooks
  LAST_OWNER: 'the organisation would be left without an owner',
  INVITATION_CLOSED: 'the invitation was already accepted, declined or revoked',
  INVITATION_EXPIRED: 'the invitation expired',
  ENDPOINT_DISABLED: 'the webhook endpoint is disabled; enable it first',
  // ingest: sources, moderation, push and upload routes
  SOURCE_INACTIVE: 'the source is switched off; activate it first',
  SOURCE_NOT_FETCHED: 'the source has no URL to fetch: it is uploaded or pushed',
  NOTE_REQUIRED: 'this moderation decision needs a note saying why',
  NOT_IN_CANONICAL_EVENT: 'the record is not part of a canonical event',
  LAST_RECORD: 'the record is the only one of its canonical event: nothing to split',
  SAME_CANONICAL_EVENT: 'a canonical event cannot be merged into itself',
  BAD_SIGNATURE: 'the push request’s signature header is missing or does not match the body and the source secret',
  STALE_TIMESTAMP: 'the push request’s signed timestamp is too old or in the future',
  REPLAYED: 'the signed push delivery was accepted before: sign each delivery anew',
  BODY_TOO_LARGE: 'the request body is larger than the route accepts',
  UPLOAD_NOT_ACCEPTED: 'the source does not take uploads (only file-kind sources do)',
  // subscriptions and the gateway's view of the subgraphs
  PERMISSIONS_CHANGED: 'the caller lost a right the subscription depends on: subscribe again',
  SUBSCRIPTION_OVERFLOW: 'the subscriber fell too far behind and was dropped: subscribe again',
  SLOW_SUBSCRIBER: 'the socket left more unread than the gateway holds: closed with 4413, its results dropped; reconnect',
  EVENTS_MISSED:
    'an event stream (`event: reset`) cannot replay what followed Last-Event-ID: reload what you show, then follow on',
  UPSTREAM_SUBSCRIPTION_FAILED: 'the subgraph refused or ended the subscription',
  QUERY_PLANNING_FAILED: 'the gateway could not plan the operation',
  SUBGRAPH_UNAVAILABLE:
    'a subgraph the operation needs cannot be reached (or keeps failing and is not asked for a few seconds); retry later',
  SUBGRAPH_TIMEOUT: 'a subgraph the operation needs did not answer in time; its fields are null',
  SUBREQUEST_HTTP_ERROR: 'a subgraph answered the gateway with an HTTP error',
  INVALID_SUBGRAPH_RESPONSE: 'a subgraph answered with a value its schema does not allow; the gateway left it out (null)',
  ENTITY_NOT_RESOLVED: 'an object one subgraph refers to is unknown to the subgraph that owns its type; it is null',
  INTERNAL_SERVER_ERROR: 'something failed on the server; details are in its log, not in the response',
} as const satisfies Record<string, string>;

/**
 * Codes in the `code` field of per-row or per-item results (import rows, wristband assignments,
 * source-record problems, fetch runs): the operation succeeded, the item did not.
 */
export const RESULT_CODES = {
  MALFORMED_ROW: 'the import row cannot be read as CSV',
  MISSING_FIELD: 'a required column of the import row is empty',
  INVALID_VALUE: 'a value of the import row is not valid for its column',
  DUPLICATE_EXTERNAL_ID: 'a ticket with this external id exists already, or earlier in the file',
  UNKNOWN_SERIES: 'the row or item names a series that does not exist',
  UNKNOWN_NFC_ID: 'no wristband has this NFC id',
  WRISTBAND_REPLACED: 'the wristband was replaced; assign its replacement',
  MISSING_TITLE: 'the source record has no title',
  MISSING_START: 'the source record has no start date',
  INVALID_DATE: 'a date of the source record cannot be read',
  END_BEFORE_START: 'the source record ends before it starts',
  BAD_SOURCE_CONFIG: 'the source’s configuration cannot be used to fetch or parse it',
} as const satisfies Record<string, string>;

export type ApiErrorCode = keyof typeof ERROR_CODES;
export type ResultCode = keyof typeof RESULT_CODES;
