-- Search keys (hand-written, see src/domain/search-keys.ts, which builds the same strings for a search): place and
-- time words added to every event's "searchDocument", so that "Event_searchDocument_idx" (GIN) intersects keyword,
-- radius and date range in one index scan. Place: the cell of 1/k degree for k = 1, 3, 10, 30, 100
-- ('G<k>y<floor((lat + 90) k)>x<floor((lng + 180) k)>'). Time, by UTC day of the instants the event covers:
-- 'D<yyyymmdd>' per day of an event of at most 31 days, else 'L<yyyymm>' per month, and 'M<yyyymm>' per month of
-- any event, or only 'Tall' for one over more than 60 months. Upper-case first letters: to_tsvector lower-cases
-- every word, so no keyword matches a key. Dates without timestamptz arithmetic: the session's TimeZone plays no part.
-- E'' strings with \073 for each semicolon, as in the discovery migration: Prisma's pg adapter splits a script at
-- every semicolon, comments included, so there are none outside the function bodies.
CREATE FUNCTION "event_search_keys"("starts" timestamptz, "ends" timestamptz, "lat" float8, "lng" float8)
RETURNS text[] LANGUAGE plpgsql AS E'
DECLARE
  keys text[] := ''{}''\073
  first_day date\073
  last_day date\073
  m date\073
  k int\073
BEGIN
  IF lat IS NOT NULL AND lng IS NOT NULL THEN
    FOREACH k IN ARRAY ARRAY[1, 3, 10, 30, 100] LOOP
      keys := keys || (''G'' || k || ''y'' || floor((lat + 90) * k)::bigint || ''x'' || floor((lng + 180) * k)::bigint)\073
    END LOOP\073
  END IF\073
  IF starts IS NULL OR ends IS NULL THEN
    RETURN keys\073
  END IF\073
  first_day := (least(starts, ends) AT TIME ZONE ''UTC'')::date\073
  -- the day of the last instant covered: an event ending at midnight does not cover the day that starts then
  last_day := ((CASE WHEN ends > starts THEN ends - interval ''1 microsecond'' ELSE starts END) AT TIME ZONE ''UTC'')::date\073
  IF (date_part(''year'', last_day) - date_part(''year'', first_day)) * 12
     + date_part(''month'', last_day) - date_part(''month'', first_day) >= 60 THEN
    RETURN keys || ''Tall''::text\073
  END IF\073
  m := first_day - (date_part(''day'', first_day)::int - 1)\073
  WHILE m <= last_day LOOP
    keys := keys || (''M'' || to_char(m, ''YYYYMM''))\073
    IF last_day - first_day >= 31 THEN
      keys := keys || (''L'' || to_char(m, ''YYYYMM''))\073
    END IF\073
    m := (m + interval ''1 month'')::date\073
  END LOOP\073
  IF last_day - first_day < 31 THEN
    m := first_day\073
    WHILE m <= last_day LOOP
      keys := keys || (''D'' || to_char(m, ''YYYYMMDD''))\073
      m := m + 1\073
    END LOOP\073
  END IF\073
  RETURN keys\073
END
';

-- The discovery trigger as in the user_events migration, plus the keys, recomputed when the times or the (own)
-- coordinates change too.
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
     OR NEW."locationName" IS DISTINCT FROM OLD."locationName"
     OR NEW."startsAt" IS DISTINCT FROM OLD."startsAt"
     OR NEW."endsAt" IS DISTINCT FROM OLD."endsAt"
     OR NEW."latitude" IS DISTINCT FROM OLD."latitude"
     OR NEW."longitude" IS DISTINCT FROM OLD."longitude" THEN
    SELECT "name", "city", "latitude", "longitude" INTO v FROM "Venue" WHERE "id" = NEW."venueId"\073
    IF NEW."venueId" IS NOT NULL THEN
      NEW."latitude" := v."latitude"\073
      NEW."longitude" := v."longitude"\073
    END IF\073
    NEW."searchDocument" :=
      setweight(to_tsvector(''english'', coalesce(NEW."title", '''')), ''A'') ||
      setweight(to_tsvector(''english'', array_to_string(coalesce(NEW."categories", ''{}'') || coalesce(NEW."tags", ''{}''), '' '')), ''B'') ||
      setweight(to_tsvector(''english'', regexp_replace(regexp_replace(coalesce(NEW."description", ''''), ''<[^>]*>'', '' '', ''g''), ''&[#a-zA-Z0-9]+\073'', '' '', ''g'')), ''C'') ||
      setweight(to_tsvector(''english'', coalesce(v."name", '''') || '' '' || coalesce(v."city", '''') || '' '' || coalesce(NEW."locationName", '''')), ''D'') ||
      array_to_tsvector("event_search_keys"(NEW."startsAt", NEW."endsAt", NEW."latitude", NEW."longitude"))\073
  END IF\073
  NEW."popularity" := NEW."viewCount" + 5 * NEW."shareCount" + 10 * NEW."goingCount" + 3 * NEW."interestedCount"\073
  RETURN NEW\073
END
';

-- Existing events get their keys.
UPDATE "Event" SET "searchDocument" = NULL;
