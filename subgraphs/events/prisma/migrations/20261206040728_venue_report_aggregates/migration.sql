-- CreateTable
CREATE TABLE "VenueReportAggregate" (
    "venueId" UUID NOT NULL,
    "open" BOOLEAN,
    "crowdLevel" "CrowdLevel",
    "waitMinutes" INTEGER,
    "confidence" DOUBLE PRECISION NOT NULL,
    "validUntil" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "recomputeAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "VenueReportAggregate_pkey" PRIMARY KEY ("venueId")
);

-- CreateIndex
CREATE INDEX "VenueReportAggregate_recomputeAt_idx" ON "VenueReportAggregate"("recomputeAt");

-- Venues with recent reports: a row already lapsed and due, so the lapse job computes their aggregate at its first pass
INSERT INTO "VenueReportAggregate" ("venueId", "confidence", "validUntil", "updatedAt", "recomputeAt")
SELECT DISTINCT "venueId", 0, now(), now(), now() FROM "VenueStatusReport" WHERE "createdAt" > now() - interval '1 day';
