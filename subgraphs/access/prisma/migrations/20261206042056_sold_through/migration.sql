-- The partner app that sold a hold, booking or waitlist place (src/domain/sales-channel.ts), null for a direct sale.

-- AlterTable
ALTER TABLE "Booking" ADD COLUMN     "soldThroughAppId" TEXT;

-- AlterTable
ALTER TABLE "Hold" ADD COLUMN     "soldThroughAppId" TEXT;

-- AlterTable
ALTER TABLE "WaitlistEntry" ADD COLUMN     "soldThroughAppId" TEXT;

-- A partner app's sales to its own customers were sold through it. (What an app bought acting for a user before
-- now was not recorded, so it stays a direct sale of the user's, which the app no longer sees.)
UPDATE "Hold" SET "soldThroughAppId" = "buyerId" WHERE "buyerKind" = 'partnerApp';
UPDATE "Booking" SET "soldThroughAppId" = "buyerId" WHERE "buyerKind" = 'partnerApp';
UPDATE "WaitlistEntry" SET "soldThroughAppId" = "buyerId" WHERE "buyerKind" = 'partnerApp';
