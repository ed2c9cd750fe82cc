/**
 * Which body an import accepts, by its Content-Type: CSV for wristbands; CSV, a JSON array or NDJSON for
 * tickets, as `format` declares (or, without `format`, as the content type says). A body sent as anything
 * else (a form post from `curl --data`, a spreadsheet) is refused before a byte is read.
 */
export type ImportFormat = 'CSV' | 'JSON';

const MEDIA_TYPES: Record<ImportFormat, readonly string[]> = {
  CSV: ['text/csv', 'application/csv', 'text/plain'],
  JSON: ['application/json', 'application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines'],
};

/** `text/csv; charset=utf-8` → `text/csv`; undefined when there is no content type. */
export const mediaTypeOf = (contentType: string | undefined): string | undefined =>
  contentType?.split(';')[0]!.trim().toLowerCase() || undefined;

export const acceptedMediaTypes = (format: ImportFormat) => MEDIA_TYPES[format];

export type MediaCheck = { format: ImportFormat } | { problem: string };

/**
 * The format of a body whose content type is `contentType`, among `allowed`, for a `declared` format if any.
 * No content type at all counts as CSV (the gateway's default).
 */
export function importFormatOf(
  contentType: string | undefined,
  allowed: readonly ImportFormat[],
  declared?: ImportFormat,
): MediaCheck {
  const media = mediaTypeOf(contentType) ?? 'text/csv';
  const candidates = declared ? [declared] : allowed;
  const format = candidates.find((f) => MEDIA_TYPES[f].includes(media));
  if (format) return { format };
  const expected = candidates.flatMap((f) => MEDIA_TYPES[f]).join(', ');
  return { problem: `Content-Type ${media} is not accepted here: send ${expected}` };
}
