-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "contactEmail" TEXT,
ADD COLUMN     "contactName" TEXT,
ADD COLUMN     "contactPhone" TEXT;

-- The retention policy events.organizer-contacts looks for ended events that still carry a contact: only those
-- rows, by end (a plain index on "endsAt" would walk every ended event without one, ever more as they pile up).
CREATE INDEX "Event_contact_endsAt_idx" ON "Event" ("endsAt")
  WHERE "contactName" IS NOT NULL OR "contactEmail" IS NOT NULL OR "contactPhone" IS NOT NULL;
