-- Tenancy, the platform's part (docs/architecture.md "Tenants"). Every business table of every service has a
-- tenant_id column whose default is scalarhub_tenant() and row-level security policies that compare it with
-- scalarhub_tenant(): the tenant that TenantScopedTransactionManager sets at the start of each transaction
-- (SET LOCAL scalarhub.tenant_id). Platform migrations are numbered 1.x so that they run after a service's
-- V1 and before its V2, the migration that adds tenant_id to the service's own tables.

-- The transaction's tenant. NULL in the system scope (platform jobs working across tenants: no tenant row
-- matches NULL). An error when nothing set it, so a statement that escaped the tenant scope fails loudly
-- instead of seeing nothing or everything.
CREATE OR REPLACE FUNCTION scalarhub_tenant() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('scalarhub.tenant_id'), 'system')::uuid $$;

-- True in the system scope only. Policies that let platform jobs see across tenants use it, table by table.
CREATE OR REPLACE FUNCTION scalarhub_system_scope() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT current_setting('scalarhub.tenant_id') = 'system' $$;

-- Idempotency records written before tenants existed belong to the demo tenant (the one every local demo
-- client was in). On a new database the table does not exist yet: R__idempotency_key.sql creates it whole.
ALTER TABLE IF EXISTS idempotency_key ADD COLUMN IF NOT EXISTS tenant_id uuid NOT NULL
    DEFAULT 'd3e00000-0000-4000-8000-000000000001';
ALTER TABLE IF EXISTS idempotency_key DROP CONSTRAINT IF EXISTS idempotency_key_pkey;
ALTER TABLE IF EXISTS idempotency_key ADD PRIMARY KEY (tenant_id, client_id, idempotency_key);
