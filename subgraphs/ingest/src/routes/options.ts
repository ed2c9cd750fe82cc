import type { IngestContext } from '../context';
import type { SecretBox } from '../credentials';
import type { IngestPayload } from '../pipeline';

export type { IngestPayload };

export interface IngestRouteOptions {
  /** hands the body to the pipeline and answers with the run's summary (src/pipeline's ingestPayload) */
  ingest(ctx: IngestContext, payload: IngestPayload): Promise<unknown>;
  /** opens push sources' secrets */
  box: SecretBox;
  /** default 5 MB: a push is a batch, not an archive */
  maxPushBytes: number;
  /** default 10 MB, like a fetched feed */
  maxUploadBytes: number;
  /** the clock signatures are judged by */
  now(): Date;
}
