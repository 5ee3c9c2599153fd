-- The product catalogue. A sku names one product for good (case-insensitive, inactive products included),
-- so subscriptions and invoices that quote it never become ambiguous.
CREATE TABLE product (
    id               uuid PRIMARY KEY,
    sku              varchar(64)   NOT NULL,
    name             varchar(200)  NOT NULL,
    description      varchar(2000),
    price_amount     bigint        NOT NULL CHECK (price_amount > 0),
    price_currency   char(3)       NOT NULL,
    -- "interval" is a type name in PostgreSQL
    billing_interval varchar(16)   NOT NULL CHECK (billing_interval IN ('ONE_TIME', 'MONTH', 'YEAR')),
    active           boolean       NOT NULL DEFAULT true,
    version          bigint        NOT NULL DEFAULT 1,
    created_at       timestamptz   NOT NULL,
    updated_at       timestamptz   NOT NULL
);

CREATE UNIQUE INDEX product_sku_key ON product (lower(sku));

-- Lists are newest first, with the id as a tie-breaker so pages never overlap; ?active= filters.
CREATE INDEX product_created_idx ON product (created_at DESC, id DESC);
CREATE INDEX product_active_created_idx ON product (active, created_at DESC, id DESC);
