-- A scan looks its wristband up by key in tables that start empty (Presence above all: a new database, or the
-- first series of an event). checkin_scan's statements are planned once per connection and the plan kept until the
-- table is analyzed again: one planned while Presence was empty reads the whole table, or every row of the series
-- through its index, on every scan until autovacuum comes by. Measured in the check-in benchmark: 279 million
-- Presence rows read in about 40 s by 13,000 sequential scans, and PostgreSQL's CPU per scan doubled in the runs that
-- caught it (bench/RESULTS.md, "Check-in scans"). So checkin_scan (and what it calls) plans without sequential
-- scans, and the series' index on Presence also holds the wristband: whichever index the plan picks, the lookup is
-- exact.

-- DropIndex
DROP INDEX "Presence_seriesId_idx";

-- CreateIndex
CREATE INDEX "Presence_seriesId_wristbandId_idx" ON "Presence"("seriesId", "wristbandId");

ALTER FUNCTION "checkin_scan"(boolean, uuid, uuid, text, boolean, text, timestamptz, boolean, text, text, text,
  uuid[], uuid[], uuid[], uuid, uuid, text, text, timestamptz, jsonb) SET enable_seqscan = off;
