-- The token-signing key set, shared by every auth-server instance. The newest key whose activation time has
-- come signs; older keys stay published at /oauth2/jwks until every token they signed has expired.
CREATE TABLE signing_key (
    kid          text PRIMARY KEY,
    -- the private RSA key as a JWK, encrypted (AES-GCM) with scalarhub.auth.keys.encryption-password
    private_jwk  text        NOT NULL,
    -- hex salt of that encryption, one per key
    salt         text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    activated_at timestamptz NOT NULL
);

CREATE INDEX signing_key_by_activation ON signing_key (activated_at DESC);
