-- CreateEnum
CREATE TYPE "WaitlistStatus" AS ENUM ('WAITING', 'OFFERED', 'BOOKED', 'EXPIRED', 'LEFT');

-- AlterTable
ALTER TABLE "TicketType" ADD COLUMN     "waiting" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "WaitlistEntry" (
    "id" UUID NOT NULL,
    "line" SERIAL NOT NULL,
    "organizationId" UUID NOT NULL,
    "eventId" UUID NOT NULL,
    "ticketTypeId" UUID NOT NULL,
    "buyerKind" TEXT NOT NULL,
    "buyerId" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "status" "WaitlistStatus" NOT NULL DEFAULT 'WAITING',
    "holdId" UUID,
    "joinedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "offeredAt" TIMESTAMPTZ(3),
    "endedAt" TIMESTAMPTZ(3),

    CONSTRAINT "WaitlistEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "WaitlistEntry_holdId_key" ON "WaitlistEntry"("holdId");

-- CreateIndex
CREATE INDEX "WaitlistEntry_ticketTypeId_status_line_idx" ON "WaitlistEntry"("ticketTypeId", "status", "line");

-- CreateIndex
CREATE INDEX "WaitlistEntry_buyerKind_buyerId_joinedAt_idx" ON "WaitlistEntry"("buyerKind", "buyerId", "joinedAt");

-- One live entry (WAITING or OFFERED) per buyer and ticket type, ended entries stay as history
CREATE UNIQUE INDEX "WaitlistEntry_live_buyer_key" ON "WaitlistEntry"("ticketTypeId", "buyerKind", "buyerId")
  WHERE "status" IN ('WAITING', 'OFFERED');
ALTER TABLE "WaitlistEntry" ADD CONSTRAINT "WaitlistEntry_quantity_check" CHECK ("quantity" > 0);
ALTER TABLE "TicketType" ADD CONSTRAINT "TicketType_waiting_check" CHECK ("waiting" >= 0);
-- the sweep of the scheduler finds the types with a line
CREATE INDEX "TicketType_waiting_idx" ON "TicketType"("id") WHERE "waiting" > 0;
