-- CreateEnum
CREATE TYPE "PartnerScope" AS ENUM ('TICKETS_BUY');

-- CreateTable
CREATE TABLE "PartnerGrant" (
    "userId" UUID NOT NULL,
    "partnerAppId" UUID NOT NULL,
    "scopes" "PartnerScope"[],
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PartnerGrant_pkey" PRIMARY KEY ("userId","partnerAppId")
);

-- CreateIndex
CREATE INDEX "PartnerGrant_partnerAppId_idx" ON "PartnerGrant"("partnerAppId");

-- AddForeignKey
ALTER TABLE "PartnerGrant" ADD CONSTRAINT "PartnerGrant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PartnerGrant" ADD CONSTRAINT "PartnerGrant_partnerAppId_fkey" FOREIGN KEY ("partnerAppId") REFERENCES "PartnerApp"("id") ON DELETE CASCADE ON UPDATE CASCADE;
