-- Hand-written (see src/domain/search-keys.ts): the search keys of the search_keys migration plus place-and-month
-- keys, 'C<k>y<i>x<j>m<yyyymm>' for each cell and month of an event of at most 31 days and 'C<k>y<i>x<j>L' for each
-- cell of a longer one. A search with a radius and a range asks for one such key instead of a cell key ANDed with
-- a day key: GIN no longer intersects two long posting lists (a city, a month) entry by entry, which on a million
-- interleaved events cost 16 ms of a 20 ms search. No semicolons outside the function body (see search_keys).
CREATE OR REPLACE FUNCTION "event_search_keys"("starts" timestamptz, "ends" timestamptz, "lat" float8, "lng" float8)
RETURNS text[] LANGUAGE plpgsql AS E'
DECLARE
  keys text[] := ''{}''\073
  cells text[] := ''{}''\073
  cell text\073
  first_day date\073
  last_day date\073
  m date\073
  k int\073
BEGIN
  IF lat IS NOT NULL AND lng IS NOT NULL THEN
    FOREACH k IN ARRAY ARRAY[1, 3, 10, 30, 100] LOOP
      cell := k || ''y'' || floor((lat + 90) * k)::bigint || ''x'' || floor((lng + 180) * k)::bigint\073
      keys := keys || (''G'' || cell)\073
      cells := cells || cell\073
    END LOOP\073
  END IF\073
  IF starts IS NULL OR ends IS NULL THEN
    RETURN keys\073
  END IF\073
  first_day := (least(starts, ends) AT TIME ZONE ''UTC'')::date\073
  -- the day of the last instant covered: an event ending at midnight does not cover the day that starts then
  last_day := ((CASE WHEN ends > starts THEN ends - interval ''1 microsecond'' ELSE starts END) AT TIME ZONE ''UTC'')::date\073
  IF last_day - first_day >= 31 THEN
    FOREACH cell IN ARRAY cells LOOP
      keys := keys || (''C'' || cell || ''L'')\073
    END LOOP\073
  END IF\073
  IF (date_part(''year'', last_day) - date_part(''year'', first_day)) * 12
     + date_part(''month'', last_day) - date_part(''month'', first_day) >= 60 THEN
    RETURN keys || ''Tall''::text\073
  END IF\073
  m := first_day - (date_part(''day'', first_day)::int - 1)\073
  WHILE m <= last_day LOOP
    keys := keys || (''M'' || to_char(m, ''YYYYMM''))\073
    IF last_day - first_day >= 31 THEN
      keys := keys || (''L'' || to_char(m, ''YYYYMM''))\073
    ELSE
      FOREACH cell IN ARRAY cells LOOP
        keys := keys || (''C'' || cell || ''m'' || to_char(m, ''YYYYMM''))\073
      END LOOP\073
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

-- Existing events get the new keys.
UPDATE "Event" SET "searchDocument" = NULL;
