export {
  createEventgraphClient,
  type Credential,
  type CredentialProvider,
  type EventgraphClient,
  type EventgraphClientOptions,
  type EventgraphSubscription,
  type FetchLike,
  type OperationArgs,
  type RequestOptions,
  type SubscribeArgs,
  type UntypedDocumentNode,
  type Variables,
} from './client';
export {
  ErrorCode,
  EventgraphError,
  isEventgraphError,
  type EventgraphErrorCode,
  type EventgraphErrorOptions,
  type EventgraphGraphQLError,
  type KnownErrorCode,
} from './errors';
export { userSession, type SessionTokens, type UserSession, type UserSessionOptions } from './session';
// typed documents (…Document) and their result/variable types, generated from src/operations
export * from './generated/graphql';
export type { TypedDocumentNode, ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
