-- A posting in one call (issue #13): lock the accounts in id order, check them, write the transaction, its
-- entries and the balances. It was two round trips (the locking SELECT, then the writing statement) and the
-- checks in between ran in the service; now the service sends one statement and maps the outcome to its
-- problem. The rules are the same, in the same order: each account (source first) must exist, be OPEN and
-- be in the posting's currency, then the source must hold the amount. Row-level security applies inside
-- (SECURITY INVOKER, the default): another tenant's account is "unknown" here as everywhere.
--
-- Outcomes: ('posted'), ('id-taken') when the transaction id exists (nothing written; another tenant's
-- row is invisible, so the conflict is the only sign of it), ('unknown-account', id),
-- ('not-open', id, status), ('currency-mismatch', id, the account's currency), ('insufficient-funds', id).
CREATE FUNCTION ledger_post(p_id uuid, p_type varchar, p_amount bigint, p_currency char(3), p_source uuid,
        p_destination uuid, p_description varchar, p_at timestamptz)
    RETURNS TABLE (outcome text, account_id uuid, detail text)
    LANGUAGE plpgsql AS $$
DECLARE
    v_ids uuid[] := array_remove(ARRAY[p_source, p_destination], NULL);
    v_id uuid;
    v_account record;
BEGIN
    -- always in id order: two postings over the same accounts queue, never deadlock
    FOR v_account IN SELECT a.id FROM ledger_account a WHERE a.id = ANY (v_ids) ORDER BY a.id FOR UPDATE LOOP
    END LOOP;
    FOREACH v_id IN ARRAY v_ids LOOP
        SELECT a.currency, a.status, a.balance INTO v_account FROM ledger_account a WHERE a.id = v_id;
        IF NOT FOUND THEN
            RETURN QUERY SELECT 'unknown-account', v_id, NULL::text;
            RETURN;
        END IF;
        IF v_account.status <> 'OPEN' THEN
            RETURN QUERY SELECT 'not-open', v_id, v_account.status::text;
            RETURN;
        END IF;
        IF v_account.currency <> p_currency THEN
            RETURN QUERY SELECT 'currency-mismatch', v_id, v_account.currency::text;
            RETURN;
        END IF;
    END LOOP;
    -- funds last, once both accounts passed the rules above (as before, and as the API documents)
    IF p_source IS NOT NULL AND (SELECT a.balance FROM ledger_account a WHERE a.id = p_source) < p_amount THEN
        RETURN QUERY SELECT 'insufficient-funds', p_source, NULL::text;
        RETURN;
    END IF;
    INSERT INTO ledger_transaction (id, type, amount, currency, source_account_id, destination_account_id,
            description, status, created_at)
        VALUES (p_id, p_type, p_amount, p_currency, p_source, p_destination, p_description, 'POSTED', p_at)
        ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'id-taken', NULL::uuid, NULL::text;
        RETURN;
    END IF;
    INSERT INTO ledger_entry (transaction_id, account_id, amount, created_at)
        SELECT p_id, e.account_id, e.amount, p_at
        FROM (VALUES (p_source, -p_amount), (p_destination, p_amount)) AS e (account_id, amount)
        WHERE e.account_id IS NOT NULL;
    UPDATE ledger_account a
        SET balance = a.balance + CASE WHEN a.id = p_source THEN -p_amount ELSE p_amount END, updated_at = p_at
        WHERE a.id = ANY (v_ids);
    RETURN QUERY SELECT 'posted', NULL::uuid, NULL::text;
END
$$;
