-- ledger_post in three statements where it ran seven (issue #13): the same rules, in the same order, with the same
-- outcomes (V3 describes them), and fewer executor start-ups, which were a tenth of the primary's CPU under
-- transfers (bench/posting-cost.sh with perf).
-- * Each account is locked and read by its primary key, in id order, in one statement. Before, one statement locked
--   both (id = ANY: a bitmap scan and a sort), then one read each again for the checks and one the source's balance.
-- * The transaction, its entries and the balances are written by one statement. When the id is taken, the
--   transaction's INSERT returns no row, so neither the entries nor the balances are written, and the statement
--   updates no account: that is how 'id-taken' is told. The foreign keys are checked at the end of the statement,
--   when the transaction's row is there.
CREATE OR REPLACE FUNCTION ledger_post(p_id uuid, p_type varchar, p_amount bigint, p_currency char(3), p_source uuid,
        p_destination uuid, p_description varchar, p_at timestamptz)
    RETURNS TABLE (outcome text, account_id uuid, detail text)
    LANGUAGE plpgsql
    -- planned once per connection (V4); CREATE OR REPLACE takes the settings it names, so it names this one again
    SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    v_source ledger_account%ROWTYPE;      -- all nulls while not found (or no source: a deposit)
    v_destination ledger_account%ROWTYPE; -- all nulls while not found (or no destination: a withdrawal)
    v_account ledger_account%ROWTYPE;
    v_id uuid;
BEGIN
    -- always in id order: two postings over the same accounts queue, never deadlock
    IF p_source < p_destination OR p_destination IS NULL THEN
        SELECT a.* INTO v_source FROM ledger_account a WHERE a.id = p_source FOR UPDATE;
        IF p_destination IS NOT NULL THEN
            SELECT a.* INTO v_destination FROM ledger_account a WHERE a.id = p_destination FOR UPDATE;
        END IF;
    ELSE -- the destination's id is the lower one, or there is no source
        SELECT a.* INTO v_destination FROM ledger_account a WHERE a.id = p_destination FOR UPDATE;
        IF p_source IS NOT NULL THEN
            SELECT a.* INTO v_source FROM ledger_account a WHERE a.id = p_source FOR UPDATE;
        END IF;
    END IF;
    -- the rules, source first
    FOR v_step IN 1..2 LOOP
        IF v_step = 1 THEN
            v_id := p_source;
            v_account := v_source;
        ELSE
            v_id := p_destination;
            v_account := v_destination;
        END IF;
        CONTINUE WHEN v_id IS NULL;
        IF v_account.id IS NULL THEN
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
    -- funds last, once both accounts passed the rules above; the balance read is the locked row's
    IF v_source.balance < p_amount THEN
        RETURN QUERY SELECT 'insufficient-funds', p_source, NULL::text;
        RETURN;
    END IF;
    WITH posted AS (
        INSERT INTO ledger_transaction (id, type, amount, currency, source_account_id, destination_account_id,
                description, status, created_at)
            VALUES (p_id, p_type, p_amount, p_currency, p_source, p_destination, p_description, 'POSTED', p_at)
            ON CONFLICT (id) DO NOTHING
            RETURNING id
    ), entries AS (
        INSERT INTO ledger_entry (transaction_id, account_id, amount, created_at)
            SELECT posted.id, e.account_id, e.amount, p_at
            FROM posted, (VALUES (p_source, -p_amount), (p_destination, p_amount)) AS e (account_id, amount)
            WHERE e.account_id IS NOT NULL
            RETURNING ledger_entry.account_id, ledger_entry.amount
    )
    UPDATE ledger_account a SET balance = a.balance + entries.amount, updated_at = p_at
        FROM entries WHERE a.id = entries.account_id;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'id-taken', NULL::uuid, NULL::text;
        RETURN;
    END IF;
    RETURN QUERY SELECT 'posted', NULL::uuid, NULL::text;
END
$$;
