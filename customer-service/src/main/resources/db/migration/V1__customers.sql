-- Customers of API clients. Email is unique regardless of case, including closed customers: an email
-- names one customer for good, so a closed customer's history never merges with a new one's.
CREATE TABLE customer (
    id          uuid PRIMARY KEY,
    name        varchar(200) NOT NULL,
    email       varchar(254) NOT NULL,
    phone       varchar(32),
    metadata    jsonb        NOT NULL DEFAULT '{}'::jsonb,
    status      varchar(16)  NOT NULL CHECK (status IN ('ACTIVE', 'CLOSED')),
    version     bigint       NOT NULL DEFAULT 0,
    created_at  timestamptz  NOT NULL,
    updated_at  timestamptz  NOT NULL
);

CREATE UNIQUE INDEX customer_email_key ON customer (lower(email));

-- Lists are newest first, with the id as a tie-breaker so pages never overlap.
CREATE INDEX customer_created_idx ON customer (created_at DESC, id DESC);
