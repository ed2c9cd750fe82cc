-- CreateEnum
CREATE TYPE "EntryRule" AS ENUM ('SINGLE_ENTRY', 'REENTRY', 'UNLIMITED');

-- CreateEnum
CREATE TYPE "TicketStatus" AS ENUM ('VALID', 'CANCELLED');

-- AlterTable
ALTER TABLE "CheckIn" ADD COLUMN     "category" TEXT,
ADD COLUMN     "offline" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "recordedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "scanId" TEXT,
ADD COLUMN     "scannerId" TEXT NOT NULL DEFAULT 'unknown',
ADD COLUMN     "scannerKind" TEXT NOT NULL DEFAULT 'unknown',
ADD COLUMN     "wristbandStatus" "WristbandStatus";

-- AlterTable
ALTER TABLE "EventSeries" ADD COLUMN     "checkInClosesAt" TIMESTAMPTZ(3),
ADD COLUMN     "checkInOpensAt" TIMESTAMPTZ(3),
ADD COLUMN     "entryRule" "EntryRule" NOT NULL DEFAULT 'REENTRY',
ADD COLUMN     "parentId" UUID,
ADD COLUMN     "recurrence" JSONB,
ADD COLUMN     "sequenceNumber" INTEGER;

-- existing rows: scans of unknown scanners, series whose check-in window is the series itself
ALTER TABLE "CheckIn" ALTER COLUMN "scannerId" DROP DEFAULT, ALTER COLUMN "scannerKind" DROP DEFAULT;
UPDATE "EventSeries" SET "checkInOpensAt" = "startsAt", "checkInClosesAt" = "endsAt";
ALTER TABLE "EventSeries" ALTER COLUMN "checkInOpensAt" SET NOT NULL, ALTER COLUMN "checkInClosesAt" SET NOT NULL;

-- AlterTable
ALTER TABLE "Wristband" ADD COLUMN     "replacesId" UUID;

-- CreateTable
CREATE TABLE "SeriesTransition" (
    "id" UUID NOT NULL,
    "seriesId" UUID NOT NULL,
    "fromStatus" "SeriesStatus" NOT NULL,
    "toStatus" "SeriesStatus" NOT NULL,
    "actorKind" TEXT NOT NULL,
    "actorId" TEXT,
    "reason" TEXT,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SeriesTransition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SeriesCategoryLimit" (
    "seriesId" UUID NOT NULL,
    "category" TEXT NOT NULL,
    "capacity" INTEGER NOT NULL,

    CONSTRAINT "SeriesCategoryLimit_pkey" PRIMARY KEY ("seriesId","category")
);

-- CreateTable
CREATE TABLE "WristbandStatusChange" (
    "id" UUID NOT NULL,
    "wristbandId" UUID NOT NULL,
    "fromStatus" "WristbandStatus" NOT NULL,
    "toStatus" "WristbandStatus" NOT NULL,
    "actorKind" TEXT NOT NULL,
    "actorId" TEXT,
    "reason" TEXT,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WristbandStatusChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Ticket" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "eventId" UUID NOT NULL,
    "source" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "status" "TicketStatus" NOT NULL DEFAULT 'VALID',
    "holderName" TEXT,
    "holderEmail" TEXT,
    "wristbandId" UUID,
    "importedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Ticket_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TicketSeries" (
    "ticketId" UUID NOT NULL,
    "seriesId" UUID NOT NULL,

    CONSTRAINT "TicketSeries_pkey" PRIMARY KEY ("ticketId","seriesId")
);

-- CreateTable
CREATE TABLE "Presence" (
    "wristbandId" UUID NOT NULL,
    "seriesId" UUID NOT NULL,
    "inside" BOOLEAN NOT NULL,
    "entries" INTEGER NOT NULL,
    "lastGateId" UUID NOT NULL,
    "lastCheckInId" UUID NOT NULL,
    "lastScanAt" TIMESTAMPTZ(3) NOT NULL,
    "seriesShard" INTEGER,
    "categoryShard" INTEGER,

    CONSTRAINT "Presence_pkey" PRIMARY KEY ("wristbandId","seriesId")
);

-- CreateTable
CREATE TABLE "SeriesCounter" (
    "seriesId" UUID NOT NULL,
    "gateId" UUID NOT NULL,
    "category" TEXT NOT NULL,
    "shard" INTEGER NOT NULL,
    "entries" INTEGER NOT NULL DEFAULT 0,
    "exits" INTEGER NOT NULL DEFAULT 0,
    "inside" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "SeriesCounter_pkey" PRIMARY KEY ("seriesId","gateId","category","shard")
);

-- CreateTable
CREATE TABLE "OccupancyShard" (
    "seriesId" UUID NOT NULL,
    "pool" TEXT NOT NULL,
    "shard" INTEGER NOT NULL,
    "inside" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "OccupancyShard_pkey" PRIMARY KEY ("seriesId","pool","shard")
);

-- CreateIndex
CREATE INDEX "SeriesTransition_seriesId_occurredAt_idx" ON "SeriesTransition"("seriesId", "occurredAt");

-- CreateIndex
CREATE INDEX "WristbandStatusChange_wristbandId_occurredAt_idx" ON "WristbandStatusChange"("wristbandId", "occurredAt");

-- CreateIndex
CREATE INDEX "Ticket_wristbandId_idx" ON "Ticket"("wristbandId");

-- CreateIndex
CREATE UNIQUE INDEX "Ticket_eventId_source_externalId_key" ON "Ticket"("eventId", "source", "externalId");

-- CreateIndex
CREATE INDEX "TicketSeries_seriesId_idx" ON "TicketSeries"("seriesId");

-- CreateIndex
CREATE INDEX "Presence_seriesId_idx" ON "Presence"("seriesId");

-- CreateIndex
CREATE INDEX "CheckIn_gateId_scannedAt_idx" ON "CheckIn"("gateId", "scannedAt");

-- CreateIndex
CREATE UNIQUE INDEX "CheckIn_scannerId_scanId_key" ON "CheckIn"("scannerId", "scanId");

-- CreateIndex
CREATE INDEX "EventSeries_status_checkInOpensAt_idx" ON "EventSeries"("status", "checkInOpensAt");

-- CreateIndex
CREATE INDEX "EventSeries_status_endsAt_idx" ON "EventSeries"("status", "endsAt");

-- CreateIndex
CREATE UNIQUE INDEX "EventSeries_parentId_sequenceNumber_key" ON "EventSeries"("parentId", "sequenceNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Wristband_replacesId_key" ON "Wristband"("replacesId");

-- AddForeignKey
ALTER TABLE "EventSeries" ADD CONSTRAINT "EventSeries_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "EventSeries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SeriesTransition" ADD CONSTRAINT "SeriesTransition_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "EventSeries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SeriesCategoryLimit" ADD CONSTRAINT "SeriesCategoryLimit_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "EventSeries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Wristband" ADD CONSTRAINT "Wristband_replacesId_fkey" FOREIGN KEY ("replacesId") REFERENCES "Wristband"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WristbandStatusChange" ADD CONSTRAINT "WristbandStatusChange_wristbandId_fkey" FOREIGN KEY ("wristbandId") REFERENCES "Wristband"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Ticket" ADD CONSTRAINT "Ticket_wristbandId_fkey" FOREIGN KEY ("wristbandId") REFERENCES "Wristband"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TicketSeries" ADD CONSTRAINT "TicketSeries_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Presence" ADD CONSTRAINT "Presence_wristbandId_fkey" FOREIGN KEY ("wristbandId") REFERENCES "Wristband"("id") ON DELETE CASCADE ON UPDATE CASCADE;
