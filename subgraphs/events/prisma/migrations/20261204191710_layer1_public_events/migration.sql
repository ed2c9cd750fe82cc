-- CreateEnum
CREATE TYPE "TicketAvailability" AS ENUM ('AVAILABLE', 'LIMITED', 'SOLD_OUT', 'UNKNOWN');

-- AlterEnum
ALTER TYPE "EventStatus" ADD VALUE 'CANCELLED';

-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "allDay" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "sourceVersion" INTEGER;

-- CreateTable
CREATE TABLE "SourceEventTombstone" (
    "eventId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "status" "EventStatus" NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SourceEventTombstone_pkey" PRIMARY KEY ("eventId")
);

-- CreateTable
CREATE TABLE "EventEnrichment" (
    "eventId" UUID NOT NULL,
    "partnerAppId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "ticketUrl" TEXT,
    "priceMin" INTEGER,
    "priceMax" INTEGER,
    "currency" TEXT,
    "availability" "TicketAvailability" NOT NULL DEFAULT 'UNKNOWN',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "EventEnrichment_pkey" PRIMARY KEY ("eventId","partnerAppId")
);

-- CreateIndex
CREATE INDEX "EventEnrichment_partnerAppId_idx" ON "EventEnrichment"("partnerAppId");

-- AddForeignKey
ALTER TABLE "EventEnrichment" ADD CONSTRAINT "EventEnrichment_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "Event"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: Layer-1 events (origin SOURCE, published by ingest) belong to no organisation and no user, and
-- may have neither a venue nor a time zone (a source need not say). Everything else keeps its owner and place rules.
ALTER TABLE "Event" DROP CONSTRAINT "Event_one_owner";
ALTER TABLE "Event" ADD CONSTRAINT "Event_one_owner" CHECK (
  ("organizationId" IS NULL) <> ("ownerUserId" IS NULL)
  OR ("origin" = 'SOURCE' AND "organizationId" IS NULL AND "ownerUserId" IS NULL));
ALTER TABLE "Event" DROP CONSTRAINT "Event_place";
ALTER TABLE "Event" ADD CONSTRAINT "Event_place" CHECK (
  "venueId" IS NOT NULL
  OR ("ownerUserId" IS NOT NULL AND "timeZone" IS NOT NULL)
  OR ("origin" = 'SOURCE' AND "organizationId" IS NULL AND "ownerUserId" IS NULL));
