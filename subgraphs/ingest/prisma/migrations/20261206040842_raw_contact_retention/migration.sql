-- AlterTable
ALTER TABLE "SourceRecord" ADD COLUMN     "rawScrubbedAt" TIMESTAMPTZ(3);

-- The retention policy ingest.raw-contacts looks for records whose event is long over and whose raw content was
-- not scrubbed since it was last written: only those rows, by the time the policy counts from.
CREATE INDEX "SourceRecord_raw_unscrubbed_idx" ON "SourceRecord" ((coalesce("endsAt", "startsAt", "lastSeenAt")))
  WHERE "rawScrubbedAt" IS NULL;
