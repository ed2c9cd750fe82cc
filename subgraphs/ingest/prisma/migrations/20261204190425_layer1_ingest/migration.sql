-- CreateEnum
CREATE TYPE "TrustLevel" AS ENUM ('UNVERIFIED', 'STANDARD', 'TRUSTED', 'OFFICIAL');

-- CreateEnum
CREATE TYPE "FetchRunTrigger" AS ENUM ('SCHEDULE', 'MANUAL', 'UPLOAD', 'PUSH');

-- CreateEnum
CREATE TYPE "RecordState" AS ENUM ('ACTIVE', 'INVALID', 'REMOVED');

-- CreateEnum
CREATE TYPE "ModerationState" AS ENUM ('PENDING', 'APPROVED', 'REJECTED', 'FLAGGED');

-- CreateEnum
CREATE TYPE "MatchRuleKind" AS ENUM ('PIN', 'FORBID');

-- AlterEnum
ALTER TYPE "FetchRunStatus" ADD VALUE 'PARTIAL';

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "SourceKind" ADD VALUE 'WEBHOOK';
ALTER TYPE "SourceKind" ADD VALUE 'HTML';

-- DropIndex
DROP INDEX "Source_url_key";

-- AlterTable: the records a run found were its item count
ALTER TABLE "FetchRun" RENAME COLUMN "itemCount" TO "foundCount";
ALTER TABLE "FetchRun" ADD COLUMN     "duplicateCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "durationMs" INTEGER,
ADD COLUMN     "errorCode" TEXT,
ADD COLUMN     "httpStatus" INTEGER,
ADD COLUMN     "newCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "rejectedCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "removedCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "trigger" "FetchRunTrigger" NOT NULL DEFAULT 'MANUAL',
ADD COLUMN     "unchangedCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "updatedCount" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Source" ADD COLUMN     "active" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "autoApproveQuality" DOUBLE PRECISION,
ADD COLUMN     "config" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "credentialKind" TEXT,
ADD COLUMN     "credentials" TEXT,
ADD COLUMN     "etag" TEXT,
ADD COLUMN     "failureStreak" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lastModified" TEXT,
ADD COLUMN     "lastRunAt" TIMESTAMPTZ(3),
ADD COLUMN     "lastSuccessAt" TIMESTAMPTZ(3),
ADD COLUMN     "leaseOwner" TEXT,
ADD COLUMN     "leaseUntil" TIMESTAMPTZ(3),
ADD COLUMN     "nextRunAt" TIMESTAMPTZ(3),
ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "recordsFound" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "requestsPerMinute" INTEGER NOT NULL DEFAULT 60,
ADD COLUMN     "runCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "scheduleSeconds" INTEGER NOT NULL DEFAULT 3600,
ADD COLUMN     "successCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "trust" "TrustLevel" NOT NULL DEFAULT 'STANDARD',
ADD COLUMN     "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ALTER COLUMN "url" DROP NOT NULL;

-- CreateTable
CREATE TABLE "FetchRunError" (
    "id" BIGSERIAL NOT NULL,
    "runId" UUID NOT NULL,
    "ref" TEXT,
    "code" TEXT NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "FetchRunError_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SourceRecord" (
    "id" UUID NOT NULL,
    "sourceId" UUID NOT NULL,
    "externalId" TEXT NOT NULL,
    "feedId" TEXT,
    "state" "RecordState" NOT NULL DEFAULT 'ACTIVE',
    "problems" JSONB,
    "title" TEXT,
    "description" TEXT,
    "startsAt" TIMESTAMPTZ(3),
    "endsAt" TIMESTAMPTZ(3),
    "allDay" BOOLEAN NOT NULL DEFAULT false,
    "timeZone" TEXT,
    "placeText" TEXT,
    "venueName" TEXT,
    "city" TEXT,
    "country" TEXT,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "geoConfidence" DOUBLE PRECISION,
    "url" TEXT,
    "imageUrl" TEXT,
    "categories" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "cancelled" BOOLEAN NOT NULL DEFAULT false,
    "contentHash" TEXT,
    "raw" JSONB NOT NULL,
    "canonicalEventId" UUID,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastRunId" UUID,
    "removedAt" TIMESTAMPTZ(3),

    CONSTRAINT "SourceRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CanonicalEvent" (
    "id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3),
    "allDay" BOOLEAN NOT NULL DEFAULT false,
    "timeZone" TEXT,
    "placeText" TEXT,
    "venueName" TEXT,
    "city" TEXT,
    "country" TEXT,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "cell" TEXT,
    "url" TEXT,
    "imageUrl" TEXT,
    "categories" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "cancelled" BOOLEAN NOT NULL DEFAULT false,
    "moderation" "ModerationState" NOT NULL DEFAULT 'PENDING',
    "qualityScore" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "qualitySignals" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "version" INTEGER NOT NULL DEFAULT 0,
    "publishedVersion" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CanonicalEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DuplicateMatch" (
    "id" BIGSERIAL NOT NULL,
    "canonicalEventId" UUID NOT NULL,
    "recordId" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "total" DOUBLE PRECISION NOT NULL,
    "titleScore" DOUBLE PRECISION NOT NULL,
    "timeScore" DOUBLE PRECISION NOT NULL,
    "locationScore" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DuplicateMatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModerationDecision" (
    "id" BIGSERIAL NOT NULL,
    "canonicalEventId" UUID NOT NULL,
    "state" "ModerationState" NOT NULL,
    "note" TEXT,
    "actorId" UUID,
    "actorKind" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModerationDecision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MatchRule" (
    "sourceId" UUID NOT NULL,
    "externalId" TEXT NOT NULL,
    "canonicalEventId" UUID NOT NULL,
    "kind" "MatchRuleKind" NOT NULL,
    "actorId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MatchRule_pkey" PRIMARY KEY ("sourceId","externalId","canonicalEventId")
);

-- CreateTable
CREATE TABLE "PushReceipt" (
    "sourceId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PushReceipt_pkey" PRIMARY KEY ("sourceId","key")
);

-- CreateIndex
CREATE INDEX "FetchRunError_runId_idx" ON "FetchRunError"("runId");

-- CreateIndex
CREATE INDEX "SourceRecord_canonicalEventId_idx" ON "SourceRecord"("canonicalEventId");

-- CreateIndex
CREATE INDEX "SourceRecord_url_idx" ON "SourceRecord"("url");

-- CreateIndex
CREATE UNIQUE INDEX "SourceRecord_sourceId_externalId_key" ON "SourceRecord"("sourceId", "externalId");

-- CreateIndex
CREATE INDEX "CanonicalEvent_startsAt_idx" ON "CanonicalEvent"("startsAt");

-- CreateIndex
CREATE INDEX "CanonicalEvent_cell_startsAt_idx" ON "CanonicalEvent"("cell", "startsAt");

-- CreateIndex
CREATE INDEX "DuplicateMatch_canonicalEventId_idx" ON "DuplicateMatch"("canonicalEventId");

-- CreateIndex
CREATE INDEX "DuplicateMatch_recordId_idx" ON "DuplicateMatch"("recordId");

-- CreateIndex
CREATE INDEX "ModerationDecision_canonicalEventId_createdAt_idx" ON "ModerationDecision"("canonicalEventId", "createdAt");

-- CreateIndex
CREATE INDEX "PushReceipt_receivedAt_idx" ON "PushReceipt"("receivedAt");

-- CreateIndex
CREATE INDEX "Source_active_nextRunAt_idx" ON "Source"("active", "nextRunAt");

-- CreateIndex
CREATE INDEX "Source_url_idx" ON "Source"("url");

-- AddForeignKey
ALTER TABLE "FetchRunError" ADD CONSTRAINT "FetchRunError_runId_fkey" FOREIGN KEY ("runId") REFERENCES "FetchRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SourceRecord" ADD CONSTRAINT "SourceRecord_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SourceRecord" ADD CONSTRAINT "SourceRecord_canonicalEventId_fkey" FOREIGN KEY ("canonicalEventId") REFERENCES "CanonicalEvent"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DuplicateMatch" ADD CONSTRAINT "DuplicateMatch_canonicalEventId_fkey" FOREIGN KEY ("canonicalEventId") REFERENCES "CanonicalEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModerationDecision" ADD CONSTRAINT "ModerationDecision_canonicalEventId_fkey" FOREIGN KEY ("canonicalEventId") REFERENCES "CanonicalEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;
