-- Hand-written (Prisma does not model index storage parameters). Searches ask the search document's GIN index for
-- dozens of keys at once (search_keys migration), and GIN checks every row of its pending list (where fastupdate
-- parks new entries until a vacuum) against every key: a few thousand pending rows made a 4 ms search take 40 ms.
-- Without the pending list each insert or update of an event writes its entries into the index at once (about
-- 0.1 ms more per event), and no search pays for rows not yet merged.
ALTER INDEX "Event_searchDocument_idx" SET (fastupdate = off);
