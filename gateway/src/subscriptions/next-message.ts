import type { ExecutionResult, GraphQLError } from 'graphql';
import { MessageType } from 'graphql-ws';
import { ErrorCode, codedError } from './errors';

/**
 * A result as graphql-ws puts it in a `next` message: errors last, each by its `toJSON()` (errors that
 * come already formatted, as Apollo Server's do, as they are).
 */
export function nextPayload(result: ExecutionResult): Record<string, unknown> {
  const { errors, ...rest } = result;
  if (!errors) return rest;
  const formatted = errors.map((e) => (typeof (e as Partial<GraphQLError>).toJSON === 'function' ? e.toJSON() : e));
  return { ...rest, errors: formatted };
}

/** Payloads already serialised, by result: the engine hands every client of an operation group the same object. */
const serialised = new WeakMap<ExecutionResult, string>();

function serialisedPayload(result: ExecutionResult): string {
  let json = serialised.get(result);
  if (json === undefined) {
    try {
      json = JSON.stringify(nextPayload(result));
    } catch {
      // what graphql-ws would have sent is its serialiser's message; this one says no more than needed
      json = JSON.stringify({ errors: [codedError('the result could not be serialised', ErrorCode.InternalServerError)] });
    }
    serialised.set(result, json);
  }
  return json;
}

/**
 * The `next` messages of one subscription: the bytes graphql-ws would send (`{"id","type","payload"}`),
 * with each result's payload serialised once however many subscribers receive it, and this one's id
 * spliced around it.
 */
export function nextMessagesFor(id: string): (result: ExecutionResult) => string {
  const head = `{"id":${JSON.stringify(id)},"type":"${MessageType.Next}","payload":`;
  return (result) => `${head}${serialisedPayload(result)}}`;
}
