export {
  createEventgraphClient,
  type EventgraphClient,
  type EventgraphClientOptions,
  type OperationArgs,
  type RequestOptions,
  type SubscribeArgs,
  type UntypedDocumentNode,
  type Variables,
} from './client';
export {
  apiKeyCredential,
  deviceCredential,
  type Credential,
  type CredentialProvider,
  type CredentialSource,
} from './credentials';
export {
  ApiErrorCode,
  apiErrorMeaning,
  ClientErrorCode,
  ErrorCode,
  EventgraphError,
  isEventgraphError,
  ResultCode,
  type EventgraphErrorCode,
  type EventgraphErrorOptions,
  type EventgraphGraphQLError,
  type KnownErrorCode,
} from './errors';
export { closeError } from './close-codes';
export type { FetchLike } from './http';
export { paginate, type Connection, type Page, type PageIterator, type PaginateOptions } from './paginate';
export type { RateLimitRetryOptions } from './retry';
export type { ConnectionEvent, ConnectionListener, EventgraphSubscription, ReconnectOptions } from './socket';
export type { EventStreams, StreamArgs, StreamParameters } from './sse/client-streams';
export type { EventgraphEventStream, StreamOptions } from './sse/typed-event-stream';
export { userSession, type SessionTokens, type UserSession, type UserSessionOptions } from './session';
// typed documents (…Document) and their result/variable types, generated from src/operations
export * from './generated/graphql';
export type { TypedDocumentNode, ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
