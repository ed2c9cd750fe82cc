-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "goingCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "interestedCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "latitude" DOUBLE PRECISION,
ADD COLUMN     "longitude" DOUBLE PRECISION,
ADD COLUMN     "popularity" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "searchDocument" tsvector,
ADD COLUMN     "shareCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "viewCount" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "EventDailyStat" (
    "eventId" UUID NOT NULL,
    "day" DATE NOT NULL,
    "views" INTEGER NOT NULL DEFAULT 0,
    "shares" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "EventDailyStat_pkey" PRIMARY KEY ("eventId","day")
);

-- CreateIndex
CREATE INDEX "EventDailyStat_day_idx" ON "EventDailyStat"("day");

-- CreateIndex
CREATE INDEX "Event_searchDocument_idx" ON "Event" USING GIN ("searchDocument");

-- CreateIndex
CREATE INDEX "Event_latitude_longitude_idx" ON "Event"("latitude", "longitude");

-- CreateIndex
CREATE INDEX "Event_popularity_idx" ON "Event"("popularity");

-- AddForeignKey
ALTER TABLE "EventDailyStat" ADD CONSTRAINT "EventDailyStat_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "Event"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Discovery, maintained by PostgreSQL itself (hand-written: Prisma cannot express triggers).
-- Event."searchDocument": title (A), categories and tags (B), description with its HTML stripped (C), venue name
-- and city (D), Event."latitude"/"longitude": the venue's coordinates, Event."popularity": the weighted counters.
-- Recomputed on insert, when a searched column or the venue changes, or when "searchDocument" is set to NULL
-- (which is how the venue trigger below, and a manual backfill, ask for it).
CREATE FUNCTION "event_discovery_refresh"() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  v RECORD\073
BEGIN
  IF TG_OP = ''INSERT'' OR NEW."searchDocument" IS NULL
     OR NEW."venueId" IS DISTINCT FROM OLD."venueId"
     OR NEW."title" IS DISTINCT FROM OLD."title"
     OR NEW."description" IS DISTINCT FROM OLD."description"
     OR NEW."categories" IS DISTINCT FROM OLD."categories"
     OR NEW."tags" IS DISTINCT FROM OLD."tags" THEN
    SELECT "name", "city", "latitude", "longitude" INTO v FROM "Venue" WHERE "id" = NEW."venueId"\073
    NEW."latitude" := v."latitude"\073
    NEW."longitude" := v."longitude"\073
    NEW."searchDocument" :=
      setweight(to_tsvector(''english'', coalesce(NEW."title", '''')), ''A'') ||
      setweight(to_tsvector(''english'', array_to_string(coalesce(NEW."categories", ''{}'') || coalesce(NEW."tags", ''{}''), '' '')), ''B'') ||
      setweight(to_tsvector(''english'', regexp_replace(regexp_replace(coalesce(NEW."description", ''''), ''<[^>]*>'', '' '', ''g''), ''&[#a-zA-Z0-9]+\073'', '' '', ''g'')), ''C'') ||
      setweight(to_tsvector(''english'', coalesce(v."name", '''') || '' '' || coalesce(v."city", '''')), ''D'')\073
  END IF\073
  NEW."popularity" := NEW."viewCount" + 5 * NEW."shareCount" + 10 * NEW."goingCount" + 3 * NEW."interestedCount"\073
  RETURN NEW\073
END
';

CREATE TRIGGER "Event_discovery" BEFORE INSERT OR UPDATE ON "Event" FOR EACH ROW EXECUTE FUNCTION "event_discovery_refresh"();

-- A venue that moves or is renamed refreshes its events' coordinates and search documents.
CREATE FUNCTION "venue_discovery_propagate"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF (NEW."name", NEW."city", NEW."latitude", NEW."longitude") IS DISTINCT FROM (OLD."name", OLD."city", OLD."latitude", OLD."longitude") THEN
    UPDATE "Event" SET "searchDocument" = NULL WHERE "venueId" = NEW."id"\073
  END IF\073
  RETURN NULL\073
END
';

CREATE TRIGGER "Venue_discovery" AFTER UPDATE ON "Venue" FOR EACH ROW EXECUTE FUNCTION "venue_discovery_propagate"();

-- The function bodies are E'' strings with \073 for each semicolon: Prisma's pg driver adapter splits a
-- migration script at every semicolon (even inside dollar quotes) before running it on a PostgreSQL server.

-- Backfill the events that exist already.
UPDATE "Event" SET "searchDocument" = NULL;
