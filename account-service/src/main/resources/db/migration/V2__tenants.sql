-- Tenants (docs/architecture.md "Tenants"): every account belongs to the tenant of the API client that opened
-- it (always the tenant of its customer: customer-service is asked as that tenant, and another tenant's
-- customer is not found there). Accounts that predate tenants belong to the demo tenant, the one every local
-- demo client was in, so a developer's data survives the upgrade. From now on a row takes the transaction's
-- tenant (scalarhub_tenant(), set by the platform's transaction manager) and row-level security shows and
-- accepts only that tenant's rows, for every statement, whatever its WHERE clause says.
ALTER TABLE account ADD COLUMN tenant_id uuid NOT NULL DEFAULT 'd3e00000-0000-4000-8000-000000000001';
ALTER TABLE account ALTER COLUMN tenant_id SET DEFAULT scalarhub_tenant();

-- a tenant's accounts, all or a customer's, newest first
DROP INDEX account_customer_idx;
CREATE INDEX account_customer_idx ON account (tenant_id, customer_id, created_at DESC, id DESC);
DROP INDEX account_created_idx;
CREATE INDEX account_created_idx ON account (tenant_id, created_at DESC, id DESC);

ALTER TABLE account ENABLE ROW LEVEL SECURITY;
ALTER TABLE account FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account
    USING (tenant_id = scalarhub_tenant()) WITH CHECK (tenant_id = scalarhub_tenant());
