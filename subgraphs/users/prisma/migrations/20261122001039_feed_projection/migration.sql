-- AlterTable
ALTER TABLE "KnownEvent" ADD COLUMN     "categories" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "startsAt" TIMESTAMPTZ(3),
ADD COLUMN     "title" TEXT,
ADD COLUMN     "venueId" UUID;

-- CreateIndex
CREATE INDEX "KnownEvent_startsAt_idx" ON "KnownEvent"("startsAt");
