-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "digestedAt" TIMESTAMPTZ(3);

-- The digest step looks for over-the-cap notifications not yet in a digest: only those rows, by user.
CREATE INDEX "Notification_undigested_userId_idx" ON "Notification" ("userId", "createdAt") WHERE "inDigest" AND "digestedAt" IS NULL;
