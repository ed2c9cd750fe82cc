-- CreateEnum
CREATE TYPE "SeatStatus" AS ENUM ('AVAILABLE', 'HELD', 'BOOKED');

-- CreateTable
CREATE TABLE "SeatMap" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "venueId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SeatMap_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Seat" (
    "id" UUID NOT NULL,
    "seatMapId" UUID NOT NULL,
    "section" TEXT NOT NULL,
    "row" TEXT NOT NULL,
    "number" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "accessible" BOOLEAN NOT NULL DEFAULT false,
    "category" TEXT NOT NULL,
    "rank" INTEGER NOT NULL,

    CONSTRAINT "Seat_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EventSeat" (
    "eventId" UUID NOT NULL,
    "seatId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "ticketTypeId" UUID NOT NULL,
    "status" "SeatStatus" NOT NULL DEFAULT 'AVAILABLE',
    "holdId" UUID,
    "ticketId" UUID,
    "rank" INTEGER NOT NULL,
    "accessible" BOOLEAN NOT NULL,

    CONSTRAINT "EventSeat_pkey" PRIMARY KEY ("eventId","seatId")
);

-- CreateIndex
CREATE INDEX "SeatMap_organizationId_idx" ON "SeatMap"("organizationId");

-- CreateIndex
CREATE UNIQUE INDEX "SeatMap_venueId_name_key" ON "SeatMap"("venueId", "name");

-- CreateIndex
CREATE INDEX "Seat_seatMapId_rank_id_idx" ON "Seat"("seatMapId", "rank", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Seat_seatMapId_section_row_number_key" ON "Seat"("seatMapId", "section", "row", "number");

-- CreateIndex
CREATE UNIQUE INDEX "EventSeat_ticketId_key" ON "EventSeat"("ticketId");

-- CreateIndex
CREATE INDEX "EventSeat_ticketTypeId_status_rank_idx" ON "EventSeat"("ticketTypeId", "status", "rank");

-- CreateIndex
CREATE INDEX "EventSeat_eventId_rank_seatId_idx" ON "EventSeat"("eventId", "rank", "seatId");

-- CreateIndex
CREATE INDEX "EventSeat_holdId_idx" ON "EventSeat"("holdId");

-- AddForeignKey
ALTER TABLE "Seat" ADD CONSTRAINT "Seat_seatMapId_fkey" FOREIGN KEY ("seatMapId") REFERENCES "SeatMap"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EventSeat" ADD CONSTRAINT "EventSeat_seatId_fkey" FOREIGN KEY ("seatId") REFERENCES "Seat"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The rows a seat points at (no Prisma relation: Hold, Ticket and TicketType stay as they are).
ALTER TABLE "EventSeat" ADD CONSTRAINT "EventSeat_ticketTypeId_fkey" FOREIGN KEY ("ticketTypeId") REFERENCES "TicketType"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "EventSeat" ADD CONSTRAINT "EventSeat_holdId_fkey" FOREIGN KEY ("holdId") REFERENCES "Hold"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "EventSeat" ADD CONSTRAINT "EventSeat_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A seat is in exactly one state, whatever the code does: available (no hold, no ticket), held (by one hold), or
-- booked (on one ticket, of the hold that booked it).
ALTER TABLE "EventSeat" ADD CONSTRAINT "EventSeat_status_check" CHECK (
  ("status" = 'AVAILABLE' AND "holdId" IS NULL AND "ticketId" IS NULL) OR
  ("status" = 'HELD' AND "holdId" IS NOT NULL AND "ticketId" IS NULL) OR
  ("status" = 'BOOKED' AND "holdId" IS NOT NULL AND "ticketId" IS NOT NULL));
