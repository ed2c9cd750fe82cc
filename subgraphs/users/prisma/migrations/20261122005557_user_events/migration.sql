-- AlterTable
ALTER TABLE "KnownEvent" ADD COLUMN     "ownerUserId" UUID,
ADD COLUMN     "replaces" UUID[] DEFAULT ARRAY[]::UUID[],
ALTER COLUMN "organizationId" DROP NOT NULL;

-- CreateIndex
CREATE INDEX "KnownEvent_ownerUserId_idx" ON "KnownEvent"("ownerUserId");
