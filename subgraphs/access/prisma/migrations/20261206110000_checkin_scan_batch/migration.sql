-- Scans that reach access at the same moment, recorded in one statement and one commit (src/check-in/scan-batch.ts):
-- each is still checkin_scan, decided and written exactly as alone, one after the other in this transaction, so a
-- later scan sees what an earlier one wrote. Only the order is chosen here: by gate, the wristband's category, its
-- counter shard and the wristband, the key of the SeriesCounter row each allowed scan moves. Two batches running at
-- once (two access replicas) then take their counter rows in the same order and queue instead of deadlocking.
-- Scans of one wristband at one gate keep their arrival order. `position` is the "i" of the scan each row answers.
CREATE FUNCTION "checkin_scan_batch"(p_scans jsonb)
RETURNS TABLE ("position" int, outcome text, "previousCheckInId" uuid, "checkIn" "CheckIn")
LANGUAGE plpgsql AS E'
DECLARE
  s record\073
BEGIN
  FOR s IN
    SELECT q.*
    FROM jsonb_to_recordset(p_scans) AS q("i" int, "series" uuid, "gate" uuid, "nfcId" text, "idValid" boolean,
      "direction" text, "scannedAt" timestamptz, "offline" boolean, "scannerKind" text, "scannerId" text, "scanId" text,
      "readOrgs" uuid[], "scanOrgs" uuid[], "deviceGates" uuid[], "checkInId" uuid, "event" uuid, "source" text, "topic" text,
      "occurredAt" timestamptz, "payloadExtra" jsonb)
    LEFT JOIN "EventSeries" es ON es."id" = q."series"
    LEFT JOIN "Wristband" w ON q."idValid" AND w."eventId" = es."eventId" AND w."nfcId" = q."nfcId"
    ORDER BY q."gate", w."category", "checkin_preferred_shard"(w."id", 16), w."id", q."i"
  LOOP
    RETURN QUERY SELECT s."i", r.* FROM "checkin_scan"(true, s."series", s."gate", s."nfcId", s."idValid", s."direction",
      s."scannedAt", s."offline", s."scannerKind", s."scannerId", s."scanId", s."readOrgs", s."scanOrgs", s."deviceGates",
      s."checkInId", s."event", s."source", s."topic", s."occurredAt", s."payloadExtra") r\073
  END LOOP\073
END ';

-- The function body is an E'' string with \073 for each semicolon: Prisma's pg driver adapter splits a
-- migration script at every semicolon (even inside dollar quotes) before running it on a PostgreSQL server.
