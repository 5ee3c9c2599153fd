-- Tenants (docs/architecture.md "Tenants"): every subscription, billing run and run item belongs to the tenant
-- of the API client that created it (an item to its run's). Rows that predate tenants belong to the demo
-- tenant, the one every local demo client was in, so a developer's data survives the upgrade. From now on a
-- row takes the transaction's tenant (scalarhub_tenant(), set by the platform's transaction manager) and
-- row-level security shows and accepts only that tenant's rows, for every statement, whatever its WHERE says.
ALTER TABLE subscription ADD COLUMN tenant_id uuid NOT NULL DEFAULT 'd3e00000-0000-4000-8000-000000000001';
ALTER TABLE subscription ALTER COLUMN tenant_id SET DEFAULT scalarhub_tenant();
ALTER TABLE billing_run ADD COLUMN tenant_id uuid NOT NULL DEFAULT 'd3e00000-0000-4000-8000-000000000001';
ALTER TABLE billing_run ALTER COLUMN tenant_id SET DEFAULT scalarhub_tenant();
ALTER TABLE billing_run_item ADD COLUMN tenant_id uuid NOT NULL DEFAULT 'd3e00000-0000-4000-8000-000000000001';
ALTER TABLE billing_run_item ALTER COLUMN tenant_id SET DEFAULT scalarhub_tenant();

-- lists and the renewals a run plans are one tenant's
DROP INDEX subscription_customer_idx;
CREATE INDEX subscription_customer_idx ON subscription (tenant_id, customer_id, created_at DESC, id DESC);
DROP INDEX subscription_created_idx;
CREATE INDEX subscription_created_idx ON subscription (tenant_id, created_at DESC, id DESC);
DROP INDEX subscription_due_idx;
CREATE INDEX subscription_due_idx ON subscription (tenant_id, current_period_end) WHERE status IN ('ACTIVE', 'PAST_DUE');
-- billing_run_open_idx stays across tenants: workers claim the oldest open run of any tenant

-- An item joins a run and a subscription of its own tenant, and no other: whatever a worker got wrong, an
-- item can never make one tenant's run renew another tenant's subscription.
ALTER TABLE subscription ADD CONSTRAINT subscription_tenant_id_key UNIQUE (tenant_id, id);
ALTER TABLE billing_run ADD CONSTRAINT billing_run_tenant_id_key UNIQUE (tenant_id, id);
ALTER TABLE billing_run_item DROP CONSTRAINT billing_run_item_run_id_fkey;
ALTER TABLE billing_run_item ADD CONSTRAINT billing_run_item_run_fkey
    FOREIGN KEY (tenant_id, run_id) REFERENCES billing_run (tenant_id, id);
ALTER TABLE billing_run_item DROP CONSTRAINT billing_run_item_subscription_id_fkey;
ALTER TABLE billing_run_item ADD CONSTRAINT billing_run_item_subscription_fkey
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES subscription (tenant_id, id);

ALTER TABLE subscription ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscription FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON subscription
    USING (tenant_id = scalarhub_tenant()) WITH CHECK (tenant_id = scalarhub_tenant());

ALTER TABLE billing_run_item ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_run_item FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_run_item
    USING (tenant_id = scalarhub_tenant()) WITH CHECK (tenant_id = scalarhub_tenant());

ALTER TABLE billing_run ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_run FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON billing_run
    USING (tenant_id = scalarhub_tenant()) WITH CHECK (tenant_id = scalarhub_tenant());
-- The billing workers (BillingWorker) claim the oldest open run of any tenant, in the system scope, and do
-- everything else of the run in the run's tenant. The system scope sees open runs only (the claim's
-- candidates; finished runs, subscriptions and items stay invisible to it), can do nothing to them but
-- take one into RUNNING with a lease, and can neither insert nor delete a run.
CREATE POLICY worker_sees_open_runs ON billing_run FOR SELECT
    USING (scalarhub_system_scope() AND status IN ('PENDING', 'RUNNING'));
CREATE POLICY worker_claims_open_runs ON billing_run FOR UPDATE
    USING (scalarhub_system_scope() AND status IN ('PENDING', 'RUNNING'))
    WITH CHECK (scalarhub_system_scope() AND status = 'RUNNING' AND lease_owner IS NOT NULL);
