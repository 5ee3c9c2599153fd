-- Tenants (docs/architecture.md "Tenants"): every ledger account, transaction and entry belongs to the tenant
-- of the API client (or of the request a platform service serves) that made it. Rows that predate tenants
-- belong to the demo tenant, the one every local demo client was in, so a developer's ledger survives the
-- upgrade. From now on a row takes the transaction's tenant (scalarhub_tenant(), set by the platform's
-- transaction manager) and row-level security shows and accepts only that tenant's rows, for every
-- statement, whatever its WHERE clause says: another tenant's account is simply not there.
ALTER TABLE ledger_account ADD COLUMN tenant_id uuid NOT NULL DEFAULT 'd3e00000-0000-4000-8000-000000000001';
ALTER TABLE ledger_account ALTER COLUMN tenant_id SET DEFAULT scalarhub_tenant();
ALTER TABLE ledger_transaction ADD COLUMN tenant_id uuid NOT NULL DEFAULT 'd3e00000-0000-4000-8000-000000000001';
ALTER TABLE ledger_transaction ALTER COLUMN tenant_id SET DEFAULT scalarhub_tenant();
ALTER TABLE ledger_entry ADD COLUMN tenant_id uuid NOT NULL DEFAULT 'd3e00000-0000-4000-8000-000000000001';
ALTER TABLE ledger_entry ALTER COLUMN tenant_id SET DEFAULT scalarhub_tenant();

-- Ids stay unique across tenants (they are the primary keys). These keys exist for the references below.
ALTER TABLE ledger_account ADD CONSTRAINT ledger_account_tenant_id_key UNIQUE (tenant_id, id);
ALTER TABLE ledger_transaction ADD CONSTRAINT ledger_transaction_tenant_id_key UNIQUE (tenant_id, id);

-- PostgreSQL checks foreign keys without row-level security, so a reference by id alone would accept another
-- tenant's account. With the tenant in every reference, a transaction and its entries can only name accounts
-- (and an entry only a transaction) of their own tenant, whatever the code does.
ALTER TABLE ledger_transaction DROP CONSTRAINT ledger_transaction_source_account_id_fkey;
ALTER TABLE ledger_transaction DROP CONSTRAINT ledger_transaction_destination_account_id_fkey;
ALTER TABLE ledger_transaction ADD CONSTRAINT ledger_transaction_source_account_fkey
    FOREIGN KEY (tenant_id, source_account_id) REFERENCES ledger_account (tenant_id, id);
ALTER TABLE ledger_transaction ADD CONSTRAINT ledger_transaction_destination_account_fkey
    FOREIGN KEY (tenant_id, destination_account_id) REFERENCES ledger_account (tenant_id, id);

ALTER TABLE ledger_entry DROP CONSTRAINT ledger_entry_transaction_id_fkey;
ALTER TABLE ledger_entry DROP CONSTRAINT ledger_entry_account_id_fkey;
ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_transaction_fkey
    FOREIGN KEY (tenant_id, transaction_id) REFERENCES ledger_transaction (tenant_id, id);
ALTER TABLE ledger_entry ADD CONSTRAINT ledger_entry_account_fkey
    FOREIGN KEY (tenant_id, account_id) REFERENCES ledger_account (tenant_id, id);

-- a tenant's account's transactions, and a tenant's transactions, newest first
DROP INDEX ledger_entry_account_idx;
CREATE INDEX ledger_entry_account_idx ON ledger_entry (tenant_id, account_id, created_at DESC, transaction_id DESC);
DROP INDEX ledger_transaction_created_idx;
CREATE INDEX ledger_transaction_created_idx ON ledger_transaction (tenant_id, created_at DESC, id DESC);

ALTER TABLE ledger_account ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_account FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ledger_account
    USING (tenant_id = scalarhub_tenant()) WITH CHECK (tenant_id = scalarhub_tenant());

ALTER TABLE ledger_transaction ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_transaction FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ledger_transaction
    USING (tenant_id = scalarhub_tenant()) WITH CHECK (tenant_id = scalarhub_tenant());

ALTER TABLE ledger_entry ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_entry FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ledger_entry
    USING (tenant_id = scalarhub_tenant()) WITH CHECK (tenant_id = scalarhub_tenant());
