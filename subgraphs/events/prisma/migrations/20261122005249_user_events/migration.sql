-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "basedOnEventId" UUID,
ADD COLUMN     "locationName" TEXT,
ADD COLUMN     "ownerUserId" UUID,
ADD COLUMN     "timeZone" TEXT,
ALTER COLUMN "organizationId" DROP NOT NULL,
ALTER COLUMN "venueId" DROP NOT NULL;

-- CreateTable
CREATE TABLE "OwnEventMatch" (
    "ownEventId" UUID NOT NULL,
    "publicEventId" UUID NOT NULL,
    "ownerUserId" UUID NOT NULL,
    "explicit" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OwnEventMatch_pkey" PRIMARY KEY ("ownEventId","publicEventId")
);

-- CreateTable
CREATE TABLE "UserFollow" (
    "followerId" UUID NOT NULL,
    "followeeId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UserFollow_pkey" PRIMARY KEY ("followerId","followeeId")
);

-- CreateIndex
CREATE INDEX "OwnEventMatch_ownerUserId_publicEventId_idx" ON "OwnEventMatch"("ownerUserId", "publicEventId");

-- CreateIndex
CREATE INDEX "OwnEventMatch_publicEventId_idx" ON "OwnEventMatch"("publicEventId");

-- CreateIndex
CREATE INDEX "UserFollow_followeeId_followerId_idx" ON "UserFollow"("followeeId", "followerId");

-- CreateIndex
CREATE UNIQUE INDEX "Event_ownerUserId_slug_key" ON "Event"("ownerUserId", "slug");

-- AddForeignKey
ALTER TABLE "OwnEventMatch" ADD CONSTRAINT "OwnEventMatch_ownEventId_fkey" FOREIGN KEY ("ownEventId") REFERENCES "Event"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OwnEventMatch" ADD CONSTRAINT "OwnEventMatch_publicEventId_fkey" FOREIGN KEY ("publicEventId") REFERENCES "Event"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: who owns an event and where it happens (Prisma cannot express CHECK constraints).
-- Exactly one owner: an organisation, or a user (the user's own events, origin USER).
ALTER TABLE "Event" ADD CONSTRAINT "Event_one_owner" CHECK (("organizationId" IS NULL) <> ("ownerUserId" IS NULL));
-- An organisation's event has a venue, a user's event has a venue or a time zone of its own.
ALTER TABLE "Event" ADD CONSTRAINT "Event_place" CHECK (
  "venueId" IS NOT NULL OR ("ownerUserId" IS NOT NULL AND "timeZone" IS NOT NULL));

-- Discovery for events without a venue: they keep their own coordinates, and their free-text location is
-- searched like a venue's name (D). Same E'' string with \073 for semicolons as the discovery migration.
CREATE OR REPLACE FUNCTION "event_discovery_refresh"() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  v RECORD\073
BEGIN
  IF TG_OP = ''INSERT'' OR NEW."searchDocument" IS NULL
     OR NEW."venueId" IS DISTINCT FROM OLD."venueId"
     OR NEW."title" IS DISTINCT FROM OLD."title"
     OR NEW."description" IS DISTINCT FROM OLD."description"
     OR NEW."categories" IS DISTINCT FROM OLD."categories"
     OR NEW."tags" IS DISTINCT FROM OLD."tags"
     OR NEW."locationName" IS DISTINCT FROM OLD."locationName" THEN
    SELECT "name", "city", "latitude", "longitude" INTO v FROM "Venue" WHERE "id" = NEW."venueId"\073
    IF NEW."venueId" IS NOT NULL THEN
      NEW."latitude" := v."latitude"\073
      NEW."longitude" := v."longitude"\073
    END IF\073
    NEW."searchDocument" :=
      setweight(to_tsvector(''english'', coalesce(NEW."title", '''')), ''A'') ||
      setweight(to_tsvector(''english'', array_to_string(coalesce(NEW."categories", ''{}'') || coalesce(NEW."tags", ''{}''), '' '')), ''B'') ||
      setweight(to_tsvector(''english'', regexp_replace(regexp_replace(coalesce(NEW."description", ''''), ''<[^>]*>'', '' '', ''g''), ''&[#a-zA-Z0-9]+\073'', '' '', ''g'')), ''C'') ||
      setweight(to_tsvector(''english'', coalesce(v."name", '''') || '' '' || coalesce(v."city", '''') || '' '' || coalesce(NEW."locationName", '''')), ''D'')\073
  END IF\073
  NEW."popularity" := NEW."viewCount" + 5 * NEW."shareCount" + 10 * NEW."goingCount" + 3 * NEW."interestedCount"\073
  RETURN NEW\073
END
';
