-- Half of each ledger_account page kept free for the balance updates every posting makes (issue #13). An account row
-- is updated twice per transfer that touches it, always in place of the last version: with room on its page the
-- new version is a HOT update (no index entry) and the page is pruned before its chains grow long. With full pages
-- (the default fillfactor, 100) 11 % of the updates in a transfer bench went to another page with new entries in
-- both indexes, and following the row's chain of versions was 4 % of the primary's CPU. Measured with the database
-- alone (bench/posting-cost.sh, 100 accounts, 8 interleaved rounds): -7.7 % of the backends' CPU per transfer, -10.2 %
-- of the primary's, 1.09x the transfers/s. The table is small (a row per account), so doubling it costs nothing.
-- Pages written from now on keep the room; existing rows move as they are updated.
ALTER TABLE ledger_account SET (fillfactor = 50);
