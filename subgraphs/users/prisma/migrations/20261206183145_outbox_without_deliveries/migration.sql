-- The in-memory bus keeps no row per consumer group any more: a row marked published is owed until every
-- group consuming it has handled it, then deleted. Rows still marked are delivered again at the next start.
-- DropTable
DROP TABLE "OutboxDelivery";
