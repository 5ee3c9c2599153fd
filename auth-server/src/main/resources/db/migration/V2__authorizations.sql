-- Every authorization auth-server has issued a token for, shared by every instance: the token introspection and
-- revocation endpoints answer for a token whichever instance issued it, and a restart forgets nothing. Before this
-- each instance held its own in its heap (4.9 KB a token for 15 minutes: ~14,000 tokens alive at once in 160 MiB).
-- The columns are Spring Authorization Server's JdbcOAuth2AuthorizationService's (its oauth2-authorization-schema.sql),
-- with PostgreSQL's types as that file asks: text for blob, timestamptz for timestamp.
CREATE TABLE oauth2_authorization (
    id                            varchar(100)  NOT NULL PRIMARY KEY,
    registered_client_id          varchar(100)  NOT NULL,
    principal_name                varchar(200)  NOT NULL,
    authorization_grant_type      varchar(100)  NOT NULL,
    authorized_scopes             varchar(1000) DEFAULT NULL,
    attributes                    text          DEFAULT NULL,
    state                         varchar(500)  DEFAULT NULL,
    authorization_code_value      text          DEFAULT NULL,
    authorization_code_issued_at  timestamptz   DEFAULT NULL,
    authorization_code_expires_at timestamptz   DEFAULT NULL,
    authorization_code_metadata   text          DEFAULT NULL,
    access_token_value            text          DEFAULT NULL,
    access_token_issued_at        timestamptz   DEFAULT NULL,
    access_token_expires_at       timestamptz   DEFAULT NULL,
    access_token_metadata         text          DEFAULT NULL,
    access_token_type             varchar(100)  DEFAULT NULL,
    access_token_scopes           varchar(1000) DEFAULT NULL,
    oidc_id_token_value           text          DEFAULT NULL,
    oidc_id_token_issued_at       timestamptz   DEFAULT NULL,
    oidc_id_token_expires_at      timestamptz   DEFAULT NULL,
    oidc_id_token_metadata        text          DEFAULT NULL,
    refresh_token_value           text          DEFAULT NULL,
    refresh_token_issued_at       timestamptz   DEFAULT NULL,
    refresh_token_expires_at      timestamptz   DEFAULT NULL,
    refresh_token_metadata        text          DEFAULT NULL,
    user_code_value               text          DEFAULT NULL,
    user_code_issued_at           timestamptz   DEFAULT NULL,
    user_code_expires_at          timestamptz   DEFAULT NULL,
    user_code_metadata            text          DEFAULT NULL,
    device_code_value             text          DEFAULT NULL,
    device_code_issued_at         timestamptz   DEFAULT NULL,
    device_code_expires_at        timestamptz   DEFAULT NULL,
    device_code_metadata          text          DEFAULT NULL,
    -- when the last of its tokens expires: the row is of no use after that (ExpiredAuthorizationPurge deletes it)
    expires_at                    timestamptz GENERATED ALWAYS AS (greatest(authorization_code_expires_at,
        access_token_expires_at, oidc_id_token_expires_at, refresh_token_expires_at, user_code_expires_at,
        device_code_expires_at)) STORED
);

-- A token is looked up by its value: by one column when the caller names the token's type, by all of them at once
-- (OR) when it does not, which PostgreSQL answers from these indexes only if every column has one. Hash indexes: the
-- lookups are equalities, and a JWT is longer than a B-tree likes; partial, as most columns are empty in most rows.
CREATE INDEX oauth2_authorization_by_state ON oauth2_authorization USING hash (state) WHERE state IS NOT NULL;
CREATE INDEX oauth2_authorization_by_code ON oauth2_authorization USING hash (authorization_code_value)
    WHERE authorization_code_value IS NOT NULL;
CREATE INDEX oauth2_authorization_by_access_token ON oauth2_authorization USING hash (access_token_value)
    WHERE access_token_value IS NOT NULL;
CREATE INDEX oauth2_authorization_by_id_token ON oauth2_authorization USING hash (oidc_id_token_value)
    WHERE oidc_id_token_value IS NOT NULL;
CREATE INDEX oauth2_authorization_by_refresh_token ON oauth2_authorization USING hash (refresh_token_value)
    WHERE refresh_token_value IS NOT NULL;
CREATE INDEX oauth2_authorization_by_user_code ON oauth2_authorization USING hash (user_code_value)
    WHERE user_code_value IS NOT NULL;
CREATE INDEX oauth2_authorization_by_device_code ON oauth2_authorization USING hash (device_code_value)
    WHERE device_code_value IS NOT NULL;
CREATE INDEX oauth2_authorization_by_expiry ON oauth2_authorization (expires_at);
