import type { EventgraphGraphQLError } from './errors';

/** A payload of an incrementally delivered response (deferSpec 20220824, as Apollo Router and the gateway send). */
export interface IncrementalPayload {
  data?: Record<string, unknown> | null;
  errors?: EventgraphGraphQLError[];
  hasNext?: boolean;
  incremental?: Array<{
    data?: Record<string, unknown> | null;
    path: (string | number)[];
    label?: string;
    errors?: EventgraphGraphQLError[];
  }>;
}

/** The boundary a multipart/mixed content type names (`-` when it names none, as the gateway sends). */
export function multipartBoundary(contentType: string): string | undefined {
  if (!/^multipart\/mixed/i.test(contentType)) return undefined;
  const match = /boundary="?([^";]+)"?/i.exec(contentType);
  return match?.[1] ?? '-';
}

/** Each JSON part of a multipart/mixed body as it arrives; text chunks may split parts anywhere. */
export async function* multipartPayloads(chunks: AsyncIterable<string>, boundary: string): AsyncGenerator<IncrementalPayload> {
  const delimiter = `\r\n--${boundary}`;
  // the body starts with a delimiter; a leading CRLF makes the first one match like the rest
  let buffer = '\r\n';
  for await (const chunk of chunks) {
    buffer += chunk;
    for (let at = buffer.indexOf(delimiter); at !== -1; at = buffer.indexOf(delimiter)) {
      const part = buffer.slice(0, at);
      buffer = buffer.slice(at + delimiter.length);
      const payload = parsePart(part);
      if (payload) yield payload;
    }
  }
}

function parsePart(part: string): IncrementalPayload | undefined {
  const bodyAt = part.indexOf('\r\n\r\n');
  if (bodyAt === -1) return undefined; // the preamble, or the closing `--`
  const body = part.slice(bodyAt + 4).trim();
  return body ? (JSON.parse(body) as IncrementalPayload) : undefined;
}

/** Text chunks of a fetch response: streamed when its body can be read as a stream, whole otherwise. */
export async function* responseText(response: {
  body?: { getReader?: () => { read(): Promise<{ done: boolean; value?: Uint8Array }> } } | null;
  text(): Promise<string>;
}): AsyncGenerator<string> {
  const reader = response.body?.getReader?.();
  if (!reader) {
    yield await response.text();
    return;
  }
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    yield decoder.decode(value, { stream: true });
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * The result with a deferred part's data merged in at its path, as a new object: the objects along
 * the path are copied, the rest shared, so each snapshot stays as it was (UI state can compare them).
 */
export function mergeAt(data: unknown, path: readonly (string | number)[], part: Record<string, unknown>): unknown {
  if (!isObject(data)) return data;
  const copy = (Array.isArray(data) ? [...data] : { ...data }) as Record<string | number, unknown>;
  if (path.length === 0) {
    for (const [key, value] of Object.entries(part))
      copy[key] = isObject(copy[key]) && isObject(value) ? mergeAt(copy[key], [], value) : value;
    return copy;
  }
  const [step, ...rest] = path as [string | number, ...(string | number)[]];
  copy[step] = mergeAt(copy[step], rest, part);
  return copy;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
