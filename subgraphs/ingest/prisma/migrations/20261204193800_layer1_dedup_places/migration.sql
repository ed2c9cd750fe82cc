-- AlterTable
ALTER TABLE "CanonicalEvent" ADD COLUMN     "sourceCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "venueId" TEXT;

-- AlterTable
ALTER TABLE "SourceRecord" ADD COLUMN     "cell" TEXT,
ADD COLUMN     "venueId" TEXT;

-- CreateIndex
CREATE INDEX "CanonicalEvent_moderation_createdAt_idx" ON "CanonicalEvent"("moderation", "createdAt");
