import type { IncomingMessage } from 'node:http';
import { GraphQLError, type DocumentNode, type GraphQLSchema } from 'graphql';
import { readBody } from '@eventgraph/runtime';
import type { Authenticated } from '../auth/authenticator';
import type { CallerDirectory } from '../auth/caller-directory';
import { checkTrustedDocument } from '../auth/trusted-documents';
import { persistedQueryNotFound, requestedHash, type DocumentManifest, type documentFinder } from '../documents-by-hash';
import type { OperationLimits } from '../limits';
import { parseAndCheckOperation } from '../limits/subscriptions';
import { mayExploreSchema, withoutSuggestions, type IntrospectionPolicy } from '../schema-exposure';
import { ErrorCode } from '../subscriptions/errors';
import { NAMED_STREAMS, namedStreamOperation, type StreamOperation } from './named-streams';

/** Any subscription, GraphQL over SSE style: GET with `query`, `variables`, `operationName`, `extensions` parameters, or POST with them as JSON. */
export const GRAPHQL_STREAM_PATH = '/graphql/stream';

export const isStreamPath = (pathname: string) => pathname === GRAPHQL_STREAM_PATH || NAMED_STREAMS.has(pathname);

const refusal = (message: string, code: string = ErrorCode.BadUserInput, status?: number) =>
  new GraphQLError(message, { extensions: { code, ...(status ? { http: { status } } : {}) } });

/** What a stream request asks for, as sent: a named stream's parameters, or an operation's text (or hash) and variables. */
export async function requestedOperation(
  req: IncomingMessage,
  url: URL,
  schema: GraphQLSchema,
): Promise<StreamOperation | GraphQLError> {
  // a token in the URL ends up in access logs, proxies and browser history
  if (url.searchParams.has('access_token'))
    return refusal('send the credential in the Authorization header (access_token in the URL is not accepted)');
  const named = NAMED_STREAMS.get(url.pathname);
  if (named) return req.method === 'GET' ? namedStreamOperation(schema, named, url.searchParams) : onlyGet();
  if (req.method === 'POST') return postedOperation(req);
  if (req.method !== 'GET') return onlyGet();
  const params = url.searchParams;
  const variables = jsonParameter(params.get('variables'), 'variables');
  const extensions = jsonParameter(params.get('extensions'), 'extensions');
  if (variables instanceof GraphQLError) return variables;
  if (extensions instanceof GraphQLError) return extensions;
  // Hive's documentId is a persisted query by another name
  const documentId = params.get('documentId');
  return {
    query: params.get('query') ?? '',
    variables,
    operationName: params.get('operationName') ?? undefined,
    extensions: documentId ? { ...extensions, persistedQuery: { version: 1, sha256Hash: documentId } } : extensions,
  };
}

const onlyGet = () => refusal('streams are read with GET (and /graphql/stream with POST too)', 'METHOD_NOT_ALLOWED', 405);

function jsonParameter(text: string | null, name: string): Record<string, unknown> | undefined | GraphQLError {
  if (text === null || text === '') return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  return refusal(`${name} must be a JSON object`, 'BAD_REQUEST');
}

async function postedOperation(req: IncomingMessage): Promise<StreamOperation | GraphQLError> {
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    return refusal('the body must be a JSON object: { "query", "variables", "operationName", "extensions" }', 'BAD_REQUEST');
  }
  const { query, variables, operationName, extensions } = (body ?? {}) as Record<string, unknown>;
  const object = (value: unknown) =>
    value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value));
  if ((query !== undefined && typeof query !== 'string') || !object(variables) || !object(extensions))
    return refusal('query must be a string, variables and extensions JSON objects', 'BAD_REQUEST');
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string')
    return refusal('operationName must be a string', 'BAD_REQUEST');
  return {
    query: query ?? '',
    variables: (variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: operationName ?? undefined,
    extensions: (extensions ?? undefined) as Record<string, unknown> | undefined,
  };
}

export interface OperationChecks {
  schema: GraphQLSchema;
  callers: CallerDirectory;
  published: DocumentManifest;
  findDocument: ReturnType<typeof documentFinder>;
  introspection: IntrospectionPolicy;
  limits?: Partial<OperationLimits>;
}

export interface CheckedOperation {
  document: DocumentNode;
  /** the text, from the request or found by its hash */
  source: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/**
 * The rules every operation meets over HTTP and graphql-ws, in their order: documents by hash,
 * trusted-documents mode, the operation limits for the caller's kind, and "Did you mean …?" hints only
 * for callers who may explore the schema.
 */
export async function checkOperation(
  checks: OperationChecks,
  { principal, trustedDocumentsOf, partnerAppId }: Authenticated,
  operation: StreamOperation,
): Promise<CheckedOperation | readonly GraphQLError[]> {
  let source = operation.query;
  const hash = requestedHash(source, operation.extensions);
  if (hash) {
    const found = await checks.findDocument(hash, partnerAppId);
    if (found === undefined) return [persistedQueryNotFound()];
    source = found;
  }
  if (!source) return [refusal('give the subscription as query (or its hash in extensions.persistedQuery)', 'BAD_REQUEST')];
  const untrusted = await checkTrustedDocument(checks.callers, trustedDocumentsOf, source, checks.published);
  if (untrusted) return [untrusted];
  const checked = parseAndCheckOperation(checks.schema, { ...operation, query: source }, checks.limits, principal.kind);
  if (checked.errors) {
    if (mayExploreSchema(checks.introspection, principal)) return checked.errors;
    return checked.errors.map((e) => Object.assign(e, { message: withoutSuggestions(e.message) }));
  }
  return { document: checked.document, source, variables: operation.variables, operationName: operation.operationName };
}
