-- Idempotency records (platform-commons' IdempotentExecutor), one table in every service database that
-- takes Idempotency-Key. A record is written in the same transaction as the effect it guards, so a crash
-- leaves either both or neither. Repeatable migration: platform-owned, independent of service versions.
-- Keys are per API client and so per tenant; the tenant leads the key, and row-level security confines
-- every read and write to the transaction's tenant (V1_1__tenancy.sql).
CREATE TABLE IF NOT EXISTS idempotency_key (
    tenant_id        uuid         NOT NULL DEFAULT scalarhub_tenant(),
    client_id        varchar(200) NOT NULL,
    idempotency_key  varchar(255) NOT NULL,
    request_hash     char(64)     NOT NULL,
    response_status  integer      NOT NULL,
    response_headers jsonb        NOT NULL,
    response_body    text         NOT NULL,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, client_id, idempotency_key)
);

ALTER TABLE idempotency_key ALTER COLUMN tenant_id SET DEFAULT scalarhub_tenant();

CREATE INDEX IF NOT EXISTS idempotency_key_created_idx ON idempotency_key (created_at);

ALTER TABLE idempotency_key ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_key FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON idempotency_key;
CREATE POLICY tenant_isolation ON idempotency_key
    USING (tenant_id = scalarhub_tenant()) WITH CHECK (tenant_id = scalarhub_tenant());
-- The purge job deletes expired records of every tenant (IdempotencyKeyPurger, system scope) with a bare
-- DELETE: the policy below is what it deletes, records older than the retention it sets for its transaction
-- (scalarhub.purge_older_than), and never younger than an hour (the shortest retention IdempotencyProperties
-- allows), so the responses a key still replays stay out of the system scope's reach. It can read and write
-- none. A permissive SELECT policy for the purge (there was one) is OR-ed by PostgreSQL into every tenant's
-- key lookup, which then also fetched and discarded every record older than an hour: 31 ms and 24,000 rows
-- per lookup in a benchmark (issue #13). A DELETE without WHERE or RETURNING needs no SELECT policy.
DROP POLICY IF EXISTS purge_expired ON idempotency_key;
DROP POLICY IF EXISTS purge_expired_find ON idempotency_key;
CREATE POLICY purge_expired ON idempotency_key FOR DELETE
    USING (scalarhub_system_scope() AND created_at < now() - greatest(interval '1 hour',
        coalesce(nullif(current_setting('scalarhub.purge_older_than', true), '')::interval, interval '1 hour')));

-- A key's claim, in one round trip (IdempotentExecutor): the transaction-scoped advisory lock on the key, then,
-- only once it is held, the lookup of its record within the retention. Two statements in that order, inside a
-- VOLATILE function: under READ COMMITTED each takes its own snapshot, so the lookup sees a concurrent first
-- request that committed while this one waited for nothing (a try-lock does not wait) and then got the lock. One
-- statement could not: its single snapshot would be taken before the lock. One row always: locked false (another
-- request holds the key: 409), or true with the record's columns (null when there is none).
CREATE OR REPLACE FUNCTION idempotency_claim(p_client varchar, p_key varchar, p_retention_seconds double precision)
RETURNS TABLE (locked boolean, request_hash char(64), response_status integer, response_headers jsonb,
               response_body text)
LANGUAGE plpgsql VOLATILE
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtextextended(
            current_setting('scalarhub.tenant_id') || chr(31) || p_client || chr(31) || p_key, 0)) THEN
        RETURN QUERY SELECT false, NULL::char(64), NULL::integer, NULL::jsonb, NULL::text;
        RETURN;
    END IF;
    RETURN QUERY SELECT true, k.request_hash, k.response_status, k.response_headers, k.response_body
        FROM (SELECT 1) AS one
        LEFT JOIN idempotency_key k ON k.client_id = p_client AND k.idempotency_key = p_key
            AND k.created_at > now() - make_interval(secs => p_retention_seconds);
END
$$;

-- A key's claim that also writes its record, for an effect whose response is known before it runs
-- (IdempotentExecutor.ClaimingEffect): the claim above, and where the key has no record within the retention, the
-- record of the response this request will give, in this transaction. A service's function calls it and then,
-- only when it answers locked with no record, runs the effect, in the same statement (the ledger's
-- ledger_post_keyed): one statement and one wait where there were three (claim, effect, record). If the effect
-- fails, the request's rollback takes the record with it, so only a response that was given is ever replayed. A
-- record past its retention is replaced, so its key starts afresh.
CREATE OR REPLACE FUNCTION idempotency_claim(p_client varchar, p_key varchar, p_retention_seconds double precision,
        p_request_hash char(64), p_response_status integer, p_response_headers jsonb, p_response_body text)
RETURNS TABLE (locked boolean, request_hash char(64), response_status integer, response_headers jsonb,
               response_body text)
LANGUAGE plpgsql VOLATILE
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtextextended(
            current_setting('scalarhub.tenant_id') || chr(31) || p_client || chr(31) || p_key, 0)) THEN
        RETURN QUERY SELECT false, NULL::char(64), NULL::integer, NULL::jsonb, NULL::text;
        RETURN;
    END IF;
    RETURN QUERY SELECT true, k.request_hash, k.response_status, k.response_headers, k.response_body
        FROM idempotency_key k WHERE k.client_id = p_client AND k.idempotency_key = p_key
            AND k.created_at > now() - make_interval(secs => p_retention_seconds);
    IF FOUND THEN
        RETURN;
    END IF;
    INSERT INTO idempotency_key AS k (client_id, idempotency_key, request_hash, response_status, response_headers,
            response_body)
        VALUES (p_client, p_key, p_request_hash, p_response_status, p_response_headers, p_response_body)
        ON CONFLICT (tenant_id, client_id, idempotency_key) DO UPDATE SET request_hash = excluded.request_hash,
            response_status = excluded.response_status, response_headers = excluded.response_headers,
            response_body = excluded.response_body, created_at = now();
    RETURN QUERY SELECT true, NULL::char(64), NULL::integer, NULL::jsonb, NULL::text;
END
$$;

-- idempotency_record() wrote a key's record with the COMMIT for a while on 2026-12-01; measured, it cost PostgreSQL more
-- than the round trip it saved (docs/performance.md), and the record is a prepared INSERT again. On 2026-12-02 it
-- came back as the one definition of a record (called after the effect, and by the claim above), with the
-- three-argument claim calling the seven-argument one: +9 % of the primary's CPU per keyed request on the endpoints
-- that record after their effect (pgbench, 7 interleaved rounds, higher in all), for ten lines written once. So
-- the record's INSERT stays in two places (IdempotentExecutor, the claim above) and each claim has its own body.
DROP FUNCTION IF EXISTS idempotency_record(varchar, varchar, char, integer, jsonb, text);
