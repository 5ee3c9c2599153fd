-- Tenants (docs/architecture.md "Tenants"): every customer belongs to the tenant of the API client that
-- created it. Customers that predate tenants belong to the demo tenant, the one every local demo client was
-- in, so a developer's data survives the upgrade. From now on a row takes the transaction's tenant
-- (scalarhub_tenant(), set by the platform's transaction manager) and row-level security shows and accepts
-- only that tenant's rows, for every statement, whatever its WHERE clause says.
ALTER TABLE customer ADD COLUMN tenant_id uuid NOT NULL DEFAULT 'd3e00000-0000-4000-8000-000000000001';
ALTER TABLE customer ALTER COLUMN tenant_id SET DEFAULT scalarhub_tenant();

-- an email names one customer per tenant; two tenants may each have a customer with the same email
DROP INDEX customer_email_key;
CREATE UNIQUE INDEX customer_email_key ON customer (tenant_id, lower(email));

DROP INDEX customer_created_idx;
CREATE INDEX customer_created_idx ON customer (tenant_id, created_at DESC, id DESC);

ALTER TABLE customer ENABLE ROW LEVEL SECURITY;
ALTER TABLE customer FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON customer
    USING (tenant_id = scalarhub_tenant()) WITH CHECK (tenant_id = scalarhub_tenant());
