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
