-- The release step looks for notifications not yet announced whose time has come: only those rows, by time
-- (a plain index on "deliverAt" would walk every announced row before them, ever more as the table grows).
CREATE INDEX "Notification_unannounced_deliverAt_idx" ON "Notification" ("deliverAt") WHERE "announcedAt" IS NULL;
