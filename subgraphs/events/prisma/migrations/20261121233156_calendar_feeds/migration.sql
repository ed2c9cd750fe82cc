-- CreateTable
CREATE TABLE "CalendarFeedToken" (
    "id" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "nonce" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CalendarFeedToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CalendarPublishedEvent" (
    "eventId" UUID NOT NULL,
    "firstPublishedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CalendarPublishedEvent_pkey" PRIMARY KEY ("eventId")
);

-- CreateIndex
CREATE UNIQUE INDEX "CalendarFeedToken_secretHash_key" ON "CalendarFeedToken"("secretHash");

-- CreateIndex
CREATE UNIQUE INDEX "CalendarFeedToken_userId_organizationId_key" ON "CalendarFeedToken"("userId", "organizationId");

-- Backfill: every event past its draft that is not archived was published once.
INSERT INTO "CalendarPublishedEvent" ("eventId", "firstPublishedAt")
SELECT "id", "updatedAt" FROM "Event" WHERE "status" NOT IN ('DRAFT', 'ARCHIVED');
