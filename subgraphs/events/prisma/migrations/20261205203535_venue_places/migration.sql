-- CreateEnum
CREATE TYPE "CrowdLevel" AS ENUM ('EMPTY', 'QUIET', 'MODERATE', 'BUSY', 'PACKED');

-- CreateTable
CREATE TABLE "VenueOpeningInterval" (
    "id" UUID NOT NULL,
    "venueId" UUID NOT NULL,
    "weekday" INTEGER NOT NULL,
    "date" DATE,
    "opensMinute" INTEGER NOT NULL,
    "closesMinute" INTEGER NOT NULL,

    CONSTRAINT "VenueOpeningInterval_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VenueOpeningException" (
    "venueId" UUID NOT NULL,
    "date" DATE NOT NULL,
    "note" TEXT,

    CONSTRAINT "VenueOpeningException_pkey" PRIMARY KEY ("venueId","date")
);

-- CreateTable
CREATE TABLE "VenueStatus" (
    "venueId" UUID NOT NULL,
    "open" BOOLEAN,
    "crowdLevel" "CrowdLevel",
    "waitMinutes" INTEGER,
    "special" TEXT,
    "validUntil" TIMESTAMPTZ(3) NOT NULL,
    "setBy" TEXT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VenueStatus_pkey" PRIMARY KEY ("venueId")
);

-- CreateTable
CREATE TABLE "VenueStatusReport" (
    "id" UUID NOT NULL,
    "venueId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "open" BOOLEAN,
    "crowdLevel" "CrowdLevel",
    "waitMinutes" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VenueStatusReport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VenueReportSlot" (
    "userId" UUID NOT NULL,
    "venueId" UUID NOT NULL,
    "lastReportAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "VenueReportSlot_pkey" PRIMARY KEY ("userId","venueId")
);

-- CreateTable
CREATE TABLE "SeriesOccupancy" (
    "seriesId" UUID NOT NULL,
    "eventId" UUID NOT NULL,
    "insideNow" INTEGER NOT NULL,
    "capacity" INTEGER NOT NULL,
    "observedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SeriesOccupancy_pkey" PRIMARY KEY ("seriesId")
);

-- CreateIndex
CREATE INDEX "VenueOpeningInterval_venueId_weekday_idx" ON "VenueOpeningInterval"("venueId", "weekday");

-- CreateIndex
CREATE INDEX "VenueOpeningInterval_venueId_date_idx" ON "VenueOpeningInterval"("venueId", "date");

-- CreateIndex
CREATE INDEX "VenueStatusReport_venueId_createdAt_idx" ON "VenueStatusReport"("venueId", "createdAt");

-- CreateIndex
CREATE INDEX "SeriesOccupancy_eventId_idx" ON "SeriesOccupancy"("eventId");
