-- Subscriptions. A row exists only once its first period is charged (the create request charges first and
-- inserts in the same transaction as its idempotency record), so nothing half-made is ever visible.
-- period_number counts the periods charged; the ledger charge of period n has the id derived from
-- (subscription id, n), which is what makes every charge exactly-once (docs/architecture.md).
CREATE TABLE subscription (
    id                   uuid PRIMARY KEY,
    customer_id          uuid        NOT NULL,
    product_id           uuid        NOT NULL,
    account_id           uuid        NOT NULL,
    status               varchar(8)  NOT NULL CHECK (status IN ('ACTIVE', 'PAST_DUE', 'CANCELED')),
    -- the price when subscribed: renewals charge it, whatever the catalogue says later
    price_amount         bigint      NOT NULL CHECK (price_amount > 0),
    currency             char(3)     NOT NULL,
    billing_interval     varchar(5)  NOT NULL CHECK (billing_interval IN ('MONTH', 'YEAR')),
    period_number        integer     NOT NULL CHECK (period_number >= 1),
    current_period_start timestamptz NOT NULL,
    current_period_end   timestamptz NOT NULL,
    cancel_at_period_end boolean     NOT NULL DEFAULT false,
    canceled_at          timestamptz,
    version              bigint      NOT NULL DEFAULT 1,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);

CREATE INDEX subscription_customer_idx ON subscription (customer_id, created_at DESC, id DESC);
CREATE INDEX subscription_created_idx ON subscription (created_at DESC, id DESC);
-- what a billing run looks for: live subscriptions whose period has ended
CREATE INDEX subscription_due_idx ON subscription (current_period_end) WHERE status IN ('ACTIVE', 'PAST_DUE');

-- A billing run is a durable job: workers of any instance claim it with a lease (FOR UPDATE SKIP LOCKED),
-- renew the lease while they work (heartbeat), and another worker takes it over once a lease expires.
CREATE TABLE billing_run (
    id               uuid PRIMARY KEY,
    status           varchar(9)  NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'COMPLETED', 'FAILED')),
    as_of            timestamptz NOT NULL,
    -- the items (the due subscriptions) are fixed once, in one transaction, when the run is first claimed
    planned          boolean     NOT NULL DEFAULT false,
    total            integer     NOT NULL DEFAULT 0,
    claims           integer     NOT NULL DEFAULT 0,
    lease_owner      varchar(100),
    lease_expires_at timestamptz,
    heartbeat_at     timestamptz,
    created_at       timestamptz NOT NULL,
    started_at       timestamptz,
    completed_at     timestamptz
);

CREATE INDEX billing_run_open_idx ON billing_run (created_at) WHERE status IN ('PENDING', 'RUNNING');

-- One subscription's renewal within a run: which period it charges, and how it ended.
CREATE TABLE billing_run_item (
    run_id          uuid        NOT NULL REFERENCES billing_run (id),
    subscription_id uuid        NOT NULL REFERENCES subscription (id),
    period_number   integer     NOT NULL,
    status          varchar(8)  NOT NULL CHECK (status IN ('PENDING', 'CHARGED', 'PAST_DUE', 'CANCELED', 'SKIPPED', 'FAILED')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      varchar(500),
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (run_id, subscription_id)
);

CREATE INDEX billing_run_item_pending_idx ON billing_run_item (run_id, next_attempt_at) WHERE status = 'PENDING';
