-- Tenants (docs/architecture.md "Tenants"): every product belongs to the tenant of the API client that
-- created it; the catalogue a client sees is its tenant's. Products that predate tenants belong to the demo
-- tenant, the one every local demo client was in, so a developer's data survives the upgrade. From now on a
-- row takes the transaction's tenant (scalarhub_tenant(), set by the platform's transaction manager) and
-- row-level security shows and accepts only that tenant's rows, for every statement, whatever its WHERE says.
ALTER TABLE product ADD COLUMN tenant_id uuid NOT NULL DEFAULT 'd3e00000-0000-4000-8000-000000000001';
ALTER TABLE product ALTER COLUMN tenant_id SET DEFAULT scalarhub_tenant();

-- a sku names one product per tenant; two tenants may each sell a product under the same sku
DROP INDEX product_sku_key;
CREATE UNIQUE INDEX product_sku_key ON product (tenant_id, lower(sku));

DROP INDEX product_created_idx;
CREATE INDEX product_created_idx ON product (tenant_id, created_at DESC, id DESC);
DROP INDEX product_active_created_idx;
CREATE INDEX product_active_created_idx ON product (tenant_id, active, created_at DESC, id DESC);

ALTER TABLE product ENABLE ROW LEVEL SECURITY;
ALTER TABLE product FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON product
    USING (tenant_id = scalarhub_tenant()) WITH CHECK (tenant_id = scalarhub_tenant());
