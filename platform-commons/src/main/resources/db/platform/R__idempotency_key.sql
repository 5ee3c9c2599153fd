-- Idempotency records (platform-commons' IdempotentExecutor), one table in every service database that
-- takes Idempotency-Key. A record is written in the same transaction as the effect it guards, so a crash
-- leaves either both or neither. Repeatable migration: platform-owned, independent of service versions.
CREATE TABLE IF NOT EXISTS idempotency_key (
    client_id        varchar(200) NOT NULL,
    idempotency_key  varchar(255) NOT NULL,
    request_hash     char(64)     NOT NULL,
    response_status  integer      NOT NULL,
    response_headers jsonb        NOT NULL,
    response_body    text         NOT NULL,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, idempotency_key)
);

CREATE INDEX IF NOT EXISTS idempotency_key_created_idx ON idempotency_key (created_at);
