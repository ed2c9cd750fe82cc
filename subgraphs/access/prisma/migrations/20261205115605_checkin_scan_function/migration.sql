-- A scan at a gate decided and recorded in one statement (`SELECT … FROM checkin_scan(…)`, see
-- src/check-in/scan.ts): one round trip from access to PostgreSQL instead of six. The rules stay
-- specified in TypeScript (src/domain/check-in.ts, src/domain/occupancy.ts), the functions below are
-- their mirror in SQL, and test/check-in-sql.test.ts holds each one to its TypeScript original.

-- decideCheckIn, fact for fact and in the same order. NULL: allowed. room_series NULL: the room is not
-- known yet (an entry that passes every other rule then takes a place and is decided again).
CREATE FUNCTION "checkin_decide"(
  direction text, scanned_at timestamptz, offline boolean, device_allowed boolean, id_valid boolean,
  wristband_status text, series_status text, entry_rule text, opens_at timestamptz, closes_at timestamptz,
  gate_direction text, assigned boolean, gate_assigned boolean, inside boolean, entries int,
  room_series boolean, room_category boolean
) RETURNS text LANGUAGE plpgsql IMMUTABLE AS E'
BEGIN
  IF NOT device_allowed THEN RETURN ''DEVICE_NOT_ALLOWED''\073 END IF\073
  IF NOT id_valid THEN RETURN ''INVALID_WRISTBAND_ID''\073 END IF\073
  IF wristband_status IS NULL THEN RETURN ''UNKNOWN_WRISTBAND''\073 END IF\073
  IF wristband_status <> ''ACTIVE'' THEN RETURN ''WRISTBAND_NOT_ACTIVE''\073 END IF\073
  IF NOT (series_status = ''ACTIVE'' OR (offline AND series_status = ''COMPLETED'')) THEN RETURN ''SERIES_NOT_ACTIVE''\073 END IF\073
  IF direction = ''ENTRY'' AND (scanned_at < opens_at OR scanned_at > closes_at) THEN RETURN ''OUTSIDE_CHECKIN_WINDOW''\073 END IF\073
  IF NOT assigned THEN RETURN ''WRISTBAND_NOT_ASSIGNED''\073 END IF\073
  IF NOT gate_assigned THEN RETURN ''GATE_NOT_ASSIGNED''\073 END IF\073
  IF gate_direction <> ''BOTH'' AND gate_direction <> direction THEN RETURN ''WRONG_DIRECTION''\073 END IF\073
  inside := coalesce(inside, false)\073
  IF direction = ''EXIT'' THEN RETURN CASE WHEN inside THEN NULL ELSE ''NOT_INSIDE'' END\073 END IF\073
  IF entry_rule = ''SINGLE_ENTRY'' AND coalesce(entries, 0) > 0 THEN
    RETURN CASE WHEN inside THEN ''ALREADY_INSIDE'' ELSE ''ALREADY_USED'' END\073
  END IF\073
  IF entry_rule = ''REENTRY'' AND inside THEN RETURN ''ALREADY_INSIDE''\073 END IF\073
  IF inside OR room_series IS NULL THEN RETURN NULL\073 END IF\073
  IF room_category = false THEN RETURN ''CATEGORY_CAPACITY_REACHED''\073 END IF\073
  IF NOT room_series THEN RETURN ''CAPACITY_REACHED''\073 END IF\073
  RETURN NULL\073
END ';

-- scanEffect: what an allowed scan moves (the change of the inside counts, the counters, the presence after it).
CREATE FUNCTION "checkin_effect"(direction text, inside boolean, entries int,
  OUT inside_delta int, OUT entered int, OUT exited int, OUT inside_after boolean, OUT entries_after int)
LANGUAGE sql IMMUTABLE AS E'
  SELECT CASE WHEN direction = ''EXIT'' THEN -1 WHEN coalesce(inside, false) THEN 0 ELSE 1 END,
         CASE WHEN direction = ''EXIT'' THEN 0 ELSE 1 END,
         CASE WHEN direction = ''EXIT'' THEN 1 ELSE 0 END,
         direction <> ''EXIT'',
         coalesce(entries, 0) + CASE WHEN direction = ''EXIT'' THEN 0 ELSE 1 END
';

-- shardCount, shardCapacity and preferredShard (src/domain/occupancy.ts), MAX_SHARDS being 16.
CREATE FUNCTION "checkin_shard_count"(capacity int) RETURNS int LANGUAGE sql IMMUTABLE AS E'
  SELECT greatest(0, least(16, capacity))
';
CREATE FUNCTION "checkin_shard_capacity"(capacity int, shard int) RETURNS int LANGUAGE sql IMMUTABLE AS E'
  SELECT CASE WHEN shard < 0 OR shard >= "checkin_shard_count"(capacity) THEN 0
    ELSE capacity / "checkin_shard_count"(capacity) + CASE WHEN shard < capacity % "checkin_shard_count"(capacity) THEN 1 ELSE 0 END END
';
CREATE FUNCTION "checkin_preferred_shard"(id uuid, shards int) RETURNS int LANGUAGE sql IMMUTABLE AS E'
  SELECT CASE WHEN shards <= 0 THEN 0 ELSE ((''x'' || right(replace(id::text, ''-'', ''''), 8))::bit(32)::bigint % shards)::int END
';

-- Takes one place in a pool of the series ('' for its capacity, a category for that category's limit):
-- in the wristband's own shard if it has room, else in any shard with room, preferring one no other scan
-- holds. Returns the shard, or NULL when every shard is full.
CREATE FUNCTION "checkin_take_place"(p_series uuid, p_pool text, p_capacity int, p_wristband uuid) RETURNS int
LANGUAGE plpgsql AS E'
DECLARE
  v_shards int := "checkin_shard_count"(p_capacity)\073
  v_own int := "checkin_preferred_shard"(p_wristband, "checkin_shard_count"(p_capacity))\073
  v_taken int\073
BEGIN
  IF v_shards = 0 THEN RETURN NULL\073 END IF\073
  -- never wait while trying: a scan waiting on one shard while holding another could deadlock
  UPDATE "OccupancyShard" o SET "inside" = o."inside" + 1
  WHERE (o."seriesId", o."pool", o."shard") = (
      SELECT f."seriesId", f."pool", f."shard" FROM "OccupancyShard" f
      WHERE f."seriesId" = p_series AND f."pool" = p_pool AND f."shard" < v_shards AND f."inside" < "checkin_shard_capacity"(p_capacity, f."shard")
      ORDER BY f."shard" = v_own DESC, f."shard" LIMIT 1 FOR UPDATE SKIP LOCKED)
    AND o."inside" < "checkin_shard_capacity"(p_capacity, o."shard")
  RETURNING o."shard" INTO v_taken\073
  IF v_taken IS NOT NULL THEN RETURN v_taken\073 END IF\073
  -- no free shard with room (or none there yet): make sure all exist, then look again
  INSERT INTO "OccupancyShard" ("seriesId", "pool", "shard")
  SELECT p_series, p_pool, i FROM generate_series(0, v_shards - 1) AS i ON CONFLICT DO NOTHING\073
  UPDATE "OccupancyShard" o SET "inside" = o."inside" + 1
  WHERE (o."seriesId", o."pool", o."shard") = (
      SELECT f."seriesId", f."pool", f."shard" FROM "OccupancyShard" f
      WHERE f."seriesId" = p_series AND f."pool" = p_pool AND f."shard" < v_shards AND f."inside" < "checkin_shard_capacity"(p_capacity, f."shard")
      ORDER BY f."shard" = v_own DESC, f."shard" LIMIT 1 FOR UPDATE SKIP LOCKED)
    AND o."inside" < "checkin_shard_capacity"(p_capacity, o."shard")
  RETURNING o."shard" INTO v_taken\073
  IF v_taken IS NOT NULL THEN RETURN v_taken\073 END IF\073
  -- every shard with room is held by another scan: wait for one (it may fill up meanwhile)\073 the rare
  -- deadlock this can meet is undone by PostgreSQL and the scan run again (recordScan)
  UPDATE "OccupancyShard" o SET "inside" = o."inside" + 1
  WHERE (o."seriesId", o."pool", o."shard") = (
      SELECT f."seriesId", f."pool", f."shard" FROM "OccupancyShard" f
      WHERE f."seriesId" = p_series AND f."pool" = p_pool AND f."shard" < v_shards AND f."inside" < "checkin_shard_capacity"(p_capacity, f."shard")
      ORDER BY f."shard" = v_own DESC, f."shard" LIMIT 1 FOR UPDATE)
    AND o."inside" < "checkin_shard_capacity"(p_capacity, o."shard")
  RETURNING o."shard" INTO v_taken\073
  RETURN v_taken\073
END ';

CREATE FUNCTION "checkin_give_back"(p_series uuid, p_pool text, p_shard int) RETURNS void LANGUAGE sql AS E'
  UPDATE "OccupancyShard" SET "inside" = greatest(0, "inside" - 1) WHERE "seriesId" = p_series AND "pool" = p_pool AND "shard" = p_shard
';

-- One scan: decided, and when p_record, recorded with everything it moves and its outbox row, in the
-- caller's statement. outcome: RECORDED or VERIFIED (checkIn is the scan, unrecorded for VERIFIED),
-- DUPLICATE (the scan recorded before under this scan id), SCAN_ID_REUSED, or a refusal that writes
-- nothing: SERIES_NOT_FOUND, FORBIDDEN, GATE_NOT_FOUND. The organisations and gates of the caller come
-- as arrays, NULL for "any" (a platform service, or not a device).
CREATE FUNCTION "checkin_scan"(
  p_record boolean, p_series uuid, p_gate uuid, p_nfc_id text, p_id_valid boolean, p_direction text,
  p_scanned_at timestamptz, p_offline boolean, p_scanner_kind text, p_scanner_id text, p_scan_id text,
  p_read_orgs uuid[], p_scan_orgs uuid[], p_device_gates uuid[],
  p_check_in uuid, p_event uuid, p_source text, p_topic text, p_occurred_at timestamptz, p_payload_extra jsonb
) RETURNS TABLE (outcome text, "previousCheckInId" uuid, "checkIn" "CheckIn")
LANGUAGE plpgsql AS E'
DECLARE
  v_series "EventSeries"\073
  v_gate "Gate"\073
  v_gate_assigned boolean\073
  v_band uuid\073
  v_status text\073
  v_category text\073
  v_assigned boolean := false\073
  v_category_capacity int\073
  v_inside boolean\073
  v_entries int\073
  v_last uuid\073
  v_series_shard int\073
  v_category_shard int\073
  v_room_series boolean\073
  v_room_category boolean\073
  v_reason text\073
  v_takes_room boolean\073
  v_device_allowed boolean := p_device_gates IS NULL OR p_gate = ANY (p_device_gates)\073
  v_effect record\073
  v_check_in "CheckIn"\073
BEGIN
  -- a retry (the scanner''s own scan id) gets the first answer and counts nothing again
  IF p_record AND p_scan_id IS NOT NULL THEN
    SELECT * INTO v_check_in FROM "CheckIn" c WHERE c."scannerId" = p_scanner_id AND c."scanId" = p_scan_id\073
    IF FOUND THEN
      RETURN QUERY SELECT CASE WHEN v_check_in."seriesId" = p_series AND v_check_in."gateId" = p_gate
        AND v_check_in."nfcId" = p_nfc_id AND v_check_in."direction"::text = p_direction THEN ''DUPLICATE'' ELSE ''SCAN_ID_REUSED'' END,
        NULL::uuid, v_check_in\073
      RETURN\073
    END IF\073
  END IF\073
  SELECT * INTO v_series FROM "EventSeries" s WHERE s."id" = p_series\073
  IF NOT FOUND OR NOT (p_read_orgs IS NULL OR v_series."organizationId" = ANY (p_read_orgs)) THEN
    RETURN QUERY SELECT ''SERIES_NOT_FOUND'', NULL::uuid, NULL::"CheckIn"\073 RETURN\073
  END IF\073
  IF NOT (p_scan_orgs IS NULL OR v_series."organizationId" = ANY (p_scan_orgs)) THEN
    RETURN QUERY SELECT ''FORBIDDEN'', NULL::uuid, NULL::"CheckIn"\073 RETURN\073
  END IF\073
  SELECT * INTO v_gate FROM "Gate" g WHERE g."id" = p_gate\073
  IF NOT FOUND OR v_gate."organizationId" <> v_series."organizationId" THEN
    RETURN QUERY SELECT ''GATE_NOT_FOUND'', NULL::uuid, NULL::"CheckIn"\073 RETURN\073
  END IF\073
  v_gate_assigned := EXISTS (SELECT 1 FROM "SeriesGate" sg WHERE sg."seriesId" = p_series AND sg."gateId" = p_gate)\073
  IF p_id_valid THEN
    IF p_record THEN
      -- held shared while recording, so a category limit is not recounted meanwhile (recountCategory)\073
      -- 5200 is occupancy-shards.ts''s LOCK_CLASS
      PERFORM pg_advisory_xact_lock_shared(5200, hashtext(p_series::text))\073
      -- two gates scanning one wristband at once are decided one after the other
      SELECT w."id", w."status"::text, w."category" INTO v_band, v_status, v_category FROM "Wristband" w
      WHERE w."eventId" = v_series."eventId" AND w."nfcId" = p_nfc_id FOR UPDATE\073
    ELSE
      SELECT w."id", w."status"::text, w."category" INTO v_band, v_status, v_category FROM "Wristband" w
      WHERE w."eventId" = v_series."eventId" AND w."nfcId" = p_nfc_id\073
    END IF\073
  END IF\073
  IF v_band IS NOT NULL THEN
    -- a statement of its own after the lock: it sees what the scan before this one wrote
    SELECT EXISTS (SELECT 1 FROM "WristbandAssignment" a WHERE a."wristbandId" = v_band AND a."seriesId" = p_series),
           (SELECT l."capacity" FROM "SeriesCategoryLimit" l WHERE l."seriesId" = p_series AND l."category" = v_category),
           p."inside", p."entries", p."lastCheckInId", p."seriesShard", p."categoryShard"
    INTO v_assigned, v_category_capacity, v_inside, v_entries, v_last, v_series_shard, v_category_shard
    FROM (SELECT 1) AS one LEFT JOIN "Presence" p ON p."wristbandId" = v_band AND p."seriesId" = p_series\073
  END IF\073
  v_reason := "checkin_decide"(p_direction, p_scanned_at, p_offline, v_device_allowed, p_id_valid, v_status, v_series."status"::text, v_series."entryRule"::text, v_series."checkInOpensAt", v_series."checkInClosesAt",
    v_gate."direction"::text, v_assigned, v_gate_assigned, v_inside, v_entries, NULL, NULL)\073
  v_takes_room := v_reason IS NULL AND p_direction = ''ENTRY'' AND NOT coalesce(v_inside, false)\073
  IF v_takes_room AND p_record THEN
    -- the category''s place first, then the series'': every scan takes them in this order, so concurrent scans queue instead of deadlocking
    v_category_shard := NULL\073
    IF v_category_capacity IS NOT NULL THEN
      v_category_shard := "checkin_take_place"(p_series, v_category, v_category_capacity, v_band)\073
      v_room_category := v_category_shard IS NOT NULL\073
    END IF\073
    v_room_series := true\073
    IF v_room_category IS DISTINCT FROM false THEN
      v_series_shard := "checkin_take_place"(p_series, '''', v_series."capacity", v_band)\073
      v_room_series := v_series_shard IS NOT NULL\073
      IF NOT v_room_series AND v_category_shard IS NOT NULL THEN
        PERFORM "checkin_give_back"(p_series, v_category, v_category_shard)\073
      END IF\073
    END IF\073
  ELSIF v_takes_room THEN
    -- verifying: the room as it is now, nothing taken
    SELECT coalesce(sum(o."inside") FILTER (WHERE o."pool" = ''''), 0) < v_series."capacity",
           CASE WHEN v_category_capacity IS NOT NULL THEN coalesce(sum(o."inside") FILTER (WHERE o."pool" = v_category), 0) < v_category_capacity END
    INTO v_room_series, v_room_category
    FROM "OccupancyShard" o WHERE o."seriesId" = p_series AND o."pool" IN ('''', v_category)\073
  END IF\073
  IF v_takes_room THEN
    v_reason := "checkin_decide"(p_direction, p_scanned_at, p_offline, v_device_allowed, p_id_valid, v_status,
      v_series."status"::text, v_series."entryRule"::text, v_series."checkInOpensAt", v_series."checkInClosesAt",
      v_gate."direction"::text, v_assigned, v_gate_assigned, v_inside, v_entries, v_room_series, v_room_category)\073
  END IF\073

  v_check_in."id" := p_check_in\073
  v_check_in."organizationId" := v_series."organizationId"\073
  v_check_in."seriesId" := p_series\073
  v_check_in."gateId" := p_gate\073
  v_check_in."wristbandId" := v_band\073
  v_check_in."nfcId" := p_nfc_id\073
  v_check_in."direction" := p_direction::"ScanDirection"\073
  v_check_in."allowed" := v_reason IS NULL\073
  v_check_in."reason" := v_reason\073
  v_check_in."wristbandStatus" := CASE WHEN v_reason = ''WRISTBAND_NOT_ACTIVE'' THEN v_status::"WristbandStatus" END\073
  v_check_in."category" := v_category\073
  v_check_in."scannerKind" := p_scanner_kind\073
  v_check_in."scannerId" := p_scanner_id\073
  v_check_in."scanId" := p_scan_id\073
  v_check_in."offline" := p_offline\073
  v_check_in."scannedAt" := p_scanned_at\073
  IF NOT p_record THEN
    RETURN QUERY SELECT ''VERIFIED'', v_last, v_check_in\073 RETURN\073
  END IF\073
  v_check_in."recordedAt" := now()\073
  INSERT INTO "CheckIn" VALUES (v_check_in.*) RETURNING * INTO v_check_in\073

  IF v_reason IS NULL THEN
    IF p_direction = ''EXIT'' THEN
      -- the places its entry took go back (category, then series: the order entries take them in)
      IF v_category_shard IS NOT NULL THEN PERFORM "checkin_give_back"(p_series, v_category, v_category_shard)\073 END IF\073
      IF v_series_shard IS NOT NULL THEN PERFORM "checkin_give_back"(p_series, '''', v_series_shard)\073 END IF\073
      v_series_shard := NULL\073
      v_category_shard := NULL\073
    END IF\073
    SELECT * INTO v_effect FROM "checkin_effect"(p_direction, v_inside, v_entries)\073
    INSERT INTO "Presence" AS p ("wristbandId", "seriesId", "inside", "entries", "lastGateId", "lastCheckInId", "lastScanAt", "seriesShard", "categoryShard")
    VALUES (v_band, p_series, v_effect.inside_after, v_effect.entries_after, p_gate, p_check_in, p_scanned_at, v_series_shard, v_category_shard)
    ON CONFLICT ("wristbandId", "seriesId") DO UPDATE SET "inside" = EXCLUDED."inside", "entries" = EXCLUDED."entries",
      "lastGateId" = EXCLUDED."lastGateId", "lastCheckInId" = EXCLUDED."lastCheckInId", "lastScanAt" = EXCLUDED."lastScanAt",
      "seriesShard" = EXCLUDED."seriesShard", "categoryShard" = EXCLUDED."categoryShard"\073
    INSERT INTO "SeriesCounter" AS c ("seriesId", "gateId", "category", "shard", "entries", "exits", "inside")
    VALUES (p_series, p_gate, v_category, "checkin_preferred_shard"(v_band, 16), v_effect.entered, v_effect.exited, v_effect.inside_delta)
    ON CONFLICT ("seriesId", "gateId", "category", "shard") DO UPDATE SET
      "entries" = c."entries" + EXCLUDED."entries", "exits" = c."exits" + EXCLUDED."exits", "inside" = c."inside" + EXCLUDED."inside"\073
  END IF\073

  -- its announcement, in the same transaction (the envelope comes from the runtime''s prepareEvent)
  INSERT INTO "OutboxEvent" ("eventId", "source", "topic", "payload", "occurredAt")
  VALUES (p_event, p_source, p_topic, jsonb_build_object(
      ''checkInId'', v_check_in."id", ''seriesId'', p_series, ''gateId'', p_gate, ''organizationId'', v_check_in."organizationId",
      ''wristbandId'', v_band, ''allowed'', v_check_in."allowed", ''reason'', v_reason, ''offline'', p_offline) || p_payload_extra,
    p_occurred_at)\073
  RETURN QUERY SELECT ''RECORDED'', v_last, v_check_in\073
END ';

-- The function bodies are E'' strings with \073 for each semicolon: Prisma's pg driver adapter splits a
-- migration script at every semicolon (even inside dollar quotes) before running it on a PostgreSQL server.
