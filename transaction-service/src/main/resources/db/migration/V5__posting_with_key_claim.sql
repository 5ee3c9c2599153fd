-- A keyed posting in one call (issue #13): the Idempotency-Key's claim (the platform's idempotency_claim, which
-- writes the key's record of the response this request will give), then, only when the key was free and had no
-- record, ledger_post. One statement and one wait where there were two: the service's IdempotentExecutor reads the
-- claim's columns (409, a replay, a mismatch) and the service the posting's outcome. A refused posting fails the
-- request, whose rollback takes the key's record with it.
CREATE FUNCTION ledger_post_keyed(p_client varchar, p_key varchar, p_retention_seconds double precision,
        p_request_hash char(64), p_response_status integer, p_response_headers jsonb, p_response_body text,
        p_id uuid, p_type varchar, p_amount bigint, p_currency char(3), p_source uuid, p_destination uuid,
        p_description varchar, p_at timestamptz)
    RETURNS TABLE (locked boolean, request_hash char(64), response_status integer, response_headers jsonb,
                   response_body text, outcome text, account_id uuid, detail text)
    LANGUAGE plpgsql
    -- planned once per connection, as ledger_post's statements are (V4)
    SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    v_claim record;
BEGIN
    SELECT c.locked, c.request_hash, c.response_status, c.response_headers, c.response_body INTO v_claim
        FROM idempotency_claim(p_client, p_key, p_retention_seconds, p_request_hash, p_response_status,
            p_response_headers, p_response_body) c;
    IF NOT v_claim.locked OR v_claim.request_hash IS NOT NULL THEN
        RETURN QUERY SELECT v_claim.locked, v_claim.request_hash, v_claim.response_status, v_claim.response_headers,
            v_claim.response_body, NULL::text, NULL::uuid, NULL::text;
        RETURN;
    END IF;
    RETURN QUERY SELECT true, NULL::char(64), NULL::integer, NULL::jsonb, NULL::text, p.outcome, p.account_id, p.detail
        FROM ledger_post(p_id, p_type, p_amount, p_currency, p_source, p_destination, p_description, p_at) p;
END
$$;
