import type { IngestContext } from '../context';
import type { SecretBox } from '../credentials';

/** A pushed or uploaded body on its way to the pipeline (the pipeline's `ingestPayload` input). */
export interface IngestPayload {
  sourceId: string;
  trigger: 'PUSH' | 'UPLOAD';
  body: Buffer;
  contentType: string;
}

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
