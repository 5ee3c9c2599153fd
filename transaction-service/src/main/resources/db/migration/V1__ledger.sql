-- The ledger. ledger_account mirrors what the ledger must know of each account (currency, status) and
-- holds its balance; account-service registers accounts and changes their status through the ledger's
-- internal API, so the check "may money move?" and the move itself happen in one transaction here.
CREATE TABLE ledger_account (
    id          uuid PRIMARY KEY,
    currency    char(3)     NOT NULL,
    status      varchar(8)  NOT NULL CHECK (status IN ('OPEN', 'FROZEN', 'CLOSED')),
    -- the last line of defence: whatever the code does, a balance never goes negative
    balance     bigint      NOT NULL DEFAULT 0 CHECK (balance >= 0),
    updated_at  timestamptz NOT NULL
);

CREATE TABLE ledger_transaction (
    id                     uuid PRIMARY KEY,
    type                   varchar(10)  NOT NULL CHECK (type IN ('DEPOSIT', 'WITHDRAWAL', 'TRANSFER')),
    amount                 bigint       NOT NULL CHECK (amount > 0),
    currency               char(3)      NOT NULL,
    source_account_id      uuid REFERENCES ledger_account (id),
    destination_account_id uuid REFERENCES ledger_account (id),
    description            varchar(500),
    status                 varchar(8)   NOT NULL CHECK (status IN ('POSTED')),
    created_at             timestamptz  NOT NULL,
    CHECK ((type = 'DEPOSIT' AND source_account_id IS NULL AND destination_account_id IS NOT NULL)
        OR (type = 'WITHDRAWAL' AND source_account_id IS NOT NULL AND destination_account_id IS NULL)
        OR (type = 'TRANSFER' AND source_account_id IS NOT NULL AND destination_account_id IS NOT NULL
            AND source_account_id <> destination_account_id))
);

-- Double entry: every transaction's effect on every account it touches. A transfer's two entries sum to
-- zero; a deposit's single entry is money entering, a withdrawal's money leaving. For every account,
-- balance = sum(entries); over all accounts, sum(balances) = deposits - withdrawals.
CREATE TABLE ledger_entry (
    transaction_id uuid        NOT NULL REFERENCES ledger_transaction (id),
    account_id     uuid        NOT NULL REFERENCES ledger_account (id),
    amount         bigint      NOT NULL CHECK (amount <> 0),
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (transaction_id, account_id)
);

-- an account's transactions, newest first
CREATE INDEX ledger_entry_account_idx ON ledger_entry (account_id, created_at DESC, transaction_id DESC);
CREATE INDEX ledger_transaction_created_idx ON ledger_transaction (created_at DESC, id DESC);
