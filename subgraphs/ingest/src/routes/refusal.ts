import type { IncomingMessage, ServerResponse } from 'node:http';
import { graphqlErrorBody, sendJson } from '@eventgraph/runtime';
import type { FetchErrorCode } from '../domain/records';

/** Why a push or an upload was refused before it reached the pipeline; codes from the closed sets of records.ts and the routes. */
export type RefusalCode =
  | Extract<FetchErrorCode, 'BAD_SIGNATURE' | 'STALE_TIMESTAMP' | 'REPLAYED' | 'BODY_TOO_LARGE'>
  | 'NOT_FOUND'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UPLOAD_NOT_ACCEPTED';

/** The status a partner's client acts on: 401 fix the signature, 409 do not retry, 413/415 fix the request. */
const STATUS: Record<RefusalCode, number> = {
  BAD_SIGNATURE: 401,
  STALE_TIMESTAMP: 401,
  REPLAYED: 409,
  BODY_TOO_LARGE: 413,
  NOT_FOUND: 404,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UPLOAD_NOT_ACCEPTED: 409,
};

export class RouteRefusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'RouteRefusal';
  }
}

/** Answers a refusal as JSON in the GraphQL error shape; anything else is rethrown for the server's route error handling. */
export function answerRefusal(res: ServerResponse, err: unknown): void {
  if (!(err instanceof RouteRefusal)) throw err;
  // the client may still be sending a body we will not read: close rather than drain it
  sendJson(res, STATUS[err.code], graphqlErrorBody(err.message, err.code), { connection: 'close' });
}

/**
 * The raw body, at most `maxBytes` (BODY_TOO_LARGE past it, judged on Content-Length first). Raw bytes, not text:
 * a push signature is computed over exactly what was sent.
 */
export async function readRawBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new RouteRefusal('BODY_TOO_LARGE', `the body is larger than ${maxBytes} bytes`);
  if (Number(req.headers['content-length']) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The media type of a Content-Type header, lowercased, without parameters. */
export const mediaTypeOf = (contentType: string | undefined): string => (contentType ?? '').split(';')[0]!.trim().toLowerCase();
