-- checkin_scan in fewer statements inside the function: the series, the gate and whether it serves the
-- series in one, and checkin_effect in PL/pgSQL, called as an expression (as a SQL function returning
-- several values it ran as a statement of its own, a fifth of a scan's time in the function). The rules
-- and what a scan writes are unchanged. A FORBIDDEN answer now carries the series' organisation.

DROP FUNCTION "checkin_effect"(text, boolean, int);
-- scanEffect: what an allowed scan moves (the change of the inside counts, the counters, the presence after it).
CREATE FUNCTION "checkin_effect"(direction text, inside boolean, entries int,
  OUT inside_delta int, OUT entered int, OUT exited int, OUT inside_after boolean, OUT entries_after int)
LANGUAGE plpgsql IMMUTABLE AS E'
BEGIN
  inside_delta := CASE WHEN direction = ''EXIT'' THEN -1 WHEN coalesce(inside, false) THEN 0 ELSE 1 END\073
  entered := CASE WHEN direction = ''EXIT'' THEN 0 ELSE 1 END\073
  exited := 1 - entered\073
  inside_after := direction <> ''EXIT''\073
  entries_after := coalesce(entries, 0) + entered\073
END ';

-- One scan: decided, and when p_record, recorded with everything it moves and its outbox row, in the
-- caller's statement. outcome: RECORDED or VERIFIED (checkIn is the scan, unrecorded for VERIFIED),
-- DUPLICATE (the scan recorded before under this scan id), SCAN_ID_REUSED, or a refusal that writes
-- nothing: SERIES_NOT_FOUND, FORBIDDEN, GATE_NOT_FOUND. The organisations and gates of the caller come
-- as arrays, NULL for "any" (a platform service, or not a device).
CREATE OR REPLACE FUNCTION "checkin_scan"(
  p_record boolean, p_series uuid, p_gate uuid, p_nfc_id text, p_id_valid boolean, p_direction text,
  p_scanned_at timestamptz, p_offline boolean, p_scanner_kind text, p_scanner_id text, p_scan_id text,
  p_read_orgs uuid[], p_scan_orgs uuid[], p_device_gates uuid[],
  p_check_in uuid, p_event uuid, p_source text, p_topic text, p_occurred_at timestamptz, p_payload_extra jsonb
) RETURNS TABLE (outcome text, "previousCheckInId" uuid, "checkIn" "CheckIn")
LANGUAGE plpgsql AS E'
DECLARE
  v_org uuid\073
  v_event uuid\073
  v_series_status text\073
  v_entry_rule text\073
  v_opens timestamptz\073
  v_closes timestamptz\073
  v_capacity int\073
  v_gate_org uuid\073
  v_gate_direction text\073
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
  -- the series, the gate and whether it serves the series, in one statement
  SELECT s."organizationId", s."eventId", s."status"::text, s."entryRule"::text, s."checkInOpensAt", s."checkInClosesAt", s."capacity",
         g."organizationId", g."direction"::text,
         EXISTS (SELECT 1 FROM "SeriesGate" sg WHERE sg."seriesId" = p_series AND sg."gateId" = p_gate)
  INTO v_org, v_event, v_series_status, v_entry_rule, v_opens, v_closes, v_capacity, v_gate_org, v_gate_direction, v_gate_assigned
  FROM "EventSeries" s LEFT JOIN "Gate" g ON g."id" = p_gate WHERE s."id" = p_series\073
  IF NOT FOUND OR NOT (p_read_orgs IS NULL OR v_org = ANY (p_read_orgs)) THEN
    RETURN QUERY SELECT ''SERIES_NOT_FOUND'', NULL::uuid, NULL::"CheckIn"\073 RETURN\073
  END IF\073
  IF NOT (p_scan_orgs IS NULL OR v_org = ANY (p_scan_orgs)) THEN
    v_check_in."organizationId" := v_org\073
    RETURN QUERY SELECT ''FORBIDDEN'', NULL::uuid, v_check_in\073 RETURN\073
  END IF\073
  IF v_gate_org IS DISTINCT FROM v_org THEN
    RETURN QUERY SELECT ''GATE_NOT_FOUND'', NULL::uuid, NULL::"CheckIn"\073 RETURN\073
  END IF\073
  IF p_id_valid THEN
    IF p_record THEN
      -- held shared while recording, so a category limit is not recounted meanwhile (recountCategory)\073
      -- 5200 is occupancy-shards.ts''s LOCK_CLASS
      PERFORM pg_advisory_xact_lock_shared(5200, hashtext(p_series::text))\073
      -- two gates scanning one wristband at once are decided one after the other
      SELECT w."id", w."status"::text, w."category" INTO v_band, v_status, v_category FROM "Wristband" w
      WHERE w."eventId" = v_event AND w."nfcId" = p_nfc_id FOR UPDATE\073
    ELSE
      SELECT w."id", w."status"::text, w."category" INTO v_band, v_status, v_category FROM "Wristband" w
      WHERE w."eventId" = v_event AND w."nfcId" = p_nfc_id\073
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
  v_reason := "checkin_decide"(p_direction, p_scanned_at, p_offline, v_device_allowed, p_id_valid, v_status, v_series_status, v_entry_rule, v_opens, v_closes,
    v_gate_direction, v_assigned, v_gate_assigned, v_inside, v_entries, NULL, NULL)\073
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
      v_series_shard := "checkin_take_place"(p_series, '''', v_capacity, v_band)\073
      v_room_series := v_series_shard IS NOT NULL\073
      IF NOT v_room_series AND v_category_shard IS NOT NULL THEN
        PERFORM "checkin_give_back"(p_series, v_category, v_category_shard)\073
      END IF\073
    END IF\073
  ELSIF v_takes_room THEN
    -- verifying: the room as it is now, nothing taken
    SELECT coalesce(sum(o."inside") FILTER (WHERE o."pool" = ''''), 0) < v_capacity,
           CASE WHEN v_category_capacity IS NOT NULL THEN coalesce(sum(o."inside") FILTER (WHERE o."pool" = v_category), 0) < v_category_capacity END
    INTO v_room_series, v_room_category
    FROM "OccupancyShard" o WHERE o."seriesId" = p_series AND o."pool" IN ('''', v_category)\073
  END IF\073
  IF v_takes_room THEN
    v_reason := "checkin_decide"(p_direction, p_scanned_at, p_offline, v_device_allowed, p_id_valid, v_status,
      v_series_status, v_entry_rule, v_opens, v_closes,
      v_gate_direction, v_assigned, v_gate_assigned, v_inside, v_entries, v_room_series, v_room_category)\073
  END IF\073

  v_check_in."id" := p_check_in\073
  v_check_in."organizationId" := v_org\073
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
    v_effect := "checkin_effect"(p_direction, v_inside, v_entries)\073
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
