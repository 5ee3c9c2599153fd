-- ledger_post's statements planned once per connection, not on every call (issue #13). PL/pgSQL prepares each
-- statement of a function once per session, and PostgreSQL then chooses, call by call, between a plan made for
-- the call's values (planned again every time) and one generic plan; for these statements it kept choosing
-- the first, and planning was 12 % of the primary's CPU under transfers (bench/posting-cost.sh, perf). Every
-- statement here looks rows up by primary key or inserts one, so the plan does not depend on the values: a
-- generic plan is the right one, and this pins it for the function's own statements only.
ALTER FUNCTION ledger_post(uuid, varchar, bigint, char, uuid, uuid, varchar, timestamptz)
    SET plan_cache_mode = force_generic_plan;
