-- Accounts of customers. The money itself is in the ledger (transaction-service), which also enforces
-- the status for money movements; this table is the account's record and lifecycle.
CREATE TABLE account (
    id          uuid PRIMARY KEY,
    customer_id uuid         NOT NULL,
    currency    char(3)      NOT NULL,
    name        varchar(200),
    status      varchar(8)   NOT NULL CHECK (status IN ('OPEN', 'FROZEN', 'CLOSED')),
    created_at  timestamptz  NOT NULL,
    updated_at  timestamptz  NOT NULL
);

CREATE INDEX account_customer_idx ON account (customer_id, created_at DESC, id DESC);
CREATE INDEX account_created_idx ON account (created_at DESC, id DESC);
