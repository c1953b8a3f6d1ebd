-- Three items of issue 7: a batch expiring 9999-12-31 was accepted; a double-clicked save
-- recorded the same dose twice; analysts read rows about people where they should read only
-- aggregates with small numbers suppressed.

-- ---------------------------------------------------------------------------------------
-- 1. Implausible batch expiry dates.
--
-- A batch is in date for at most 5 years (main-api/shared/vocabulary/vaccination.ts,
-- BATCH_SHELF_LIFE_YEARS: licensed vaccines keep two to three years, a few up to four): its
-- expiry is at most 5 years after the day it is added to stock, and a vaccination's expiry at
-- most 5 years after the vaccination. An expiry before the vaccination was already refused
-- (CHECK expiry_date >= occurred_on, 0003). Checked on insert, as triggers rather than CHECK
-- constraints, so that an implausible row written before this rule can still be marked entered
-- in error or superseded (a status change updates the row) rather than being stuck; a new
-- version of it must have a plausible expiry. Date arithmetic clamps as the calendar's does
-- (29 February + 5 years is 28 February).
CREATE FUNCTION ims.batch_expiry_plausible() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_added date := (coalesce(NEW.created_at, now()) AT TIME ZONE 'Europe/London')::date;
BEGIN
  IF NEW.expiry_date > (v_added + interval '5 years')::date THEN
    RAISE EXCEPTION 'Batch % cannot expire on %: more than 5 years after it was added (%).', NEW.batch_number, NEW.expiry_date, v_added
      USING ERRCODE = 'check_violation', CONSTRAINT = 'batch_expiry_plausible';
  END IF;
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.batch_expiry_plausible() FROM PUBLIC;
-- Named to fire after batch_before_insert, which sets created_at (triggers fire in name order).
CREATE TRIGGER batch_expiry_plausible BEFORE INSERT OR UPDATE OF expiry_date ON ims.batch
  FOR EACH ROW EXECUTE FUNCTION ims.batch_expiry_plausible();

CREATE FUNCTION ims.vaccination_event_expiry_plausible() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.expiry_date > (NEW.occurred_on + interval '5 years')::date THEN
    RAISE EXCEPTION 'Batch % cannot expire on %: more than 5 years after the vaccination (%).', NEW.batch_number, NEW.expiry_date, NEW.occurred_on
      USING ERRCODE = 'check_violation', CONSTRAINT = 'vaccination_event_expiry_plausible';
  END IF;
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.vaccination_event_expiry_plausible() FROM PUBLIC;
-- Named to fire after vaccination_event_before_insert, which copies a known batch's expiry.
CREATE TRIGGER vaccination_event_expiry_plausible BEFORE INSERT ON ims.vaccination_event
  FOR EACH ROW EXECUTE FUNCTION ims.vaccination_event_expiry_plausible();

-- ---------------------------------------------------------------------------------------
-- 2. A save from a form is recorded once, however often it is sent.
--
-- Each form sends a key (a UUID made when the form opens, kept while it retries, new for the
-- next form). The first save with a key claims it here, in the same transaction as the change
-- it makes; a repeat waits for the first to finish (the primary key) and is answered with what
-- the first save produced, read again through the audited functions, so the repeat is scoped
-- and audited like any read. If the first save failed, its transaction took the claim with it
-- and the repeat saves afresh.
--
-- The key is unique per user, not per person or across the database: a key is only ever
-- compared with the caller's own keys, so it cannot tell anyone whether someone else used it
-- (the oracle of finding 6). A vaccination's source identity (0020) stays a separate thing: it
-- is the identity of an event in the system it came from, carried by every version of the
-- event, and a feed resending it is a duplicate to refuse; the key identifies one submission of
-- any form, including corrections, reactions and batches, which have no source identity.
CREATE TABLE ims.form_save (
  actor     text NOT NULL,
  save_key  uuid NOT NULL,
  -- A digest of the channel and the request, so a key sent with different details is refused.
  request   text NOT NULL CHECK (request ~ '^[0-9a-f]{64}$'),
  -- What the save produced: the event, reaction or batch id.
  result_id bigint,
  saved_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (actor, save_key)
);
-- Bookkeeping of the functions below only: no group reads or writes it.
REVOKE ALL ON ims.form_save FROM PUBLIC;
ALTER TABLE ims.form_save ENABLE ROW LEVEL SECURITY;

-- Claims a key for the caller. first_save: go ahead and save, then call api.save_finish.
-- Otherwise the key was used before (and that save committed): same_request tells whether it
-- was for the same request, result_id what it produced.
CREATE FUNCTION api.save_begin(p_key uuid, p_request text)
RETURNS TABLE (first_save boolean, same_request boolean, result_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s ims.form_save;
BEGIN
  IF NOT ims.may_record_clinical() THEN
    PERFORM ims.refuse_recording();
  END IF;
  IF p_key IS NULL OR p_request IS NULL THEN
    RAISE EXCEPTION 'A save needs its key and request digest.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- A form is not left open for a month: older keys of the caller's are forgotten.
  DELETE FROM ims.form_save f WHERE f.actor = session_user AND f.saved_at < now() - interval '30 days';
  INSERT INTO ims.form_save (actor, save_key, request) VALUES (session_user, p_key, p_request)
  ON CONFLICT (actor, save_key) DO NOTHING;
  IF FOUND THEN
    RETURN QUERY SELECT true, true, NULL::bigint;
    RETURN;
  END IF;
  -- A new statement, so it sees the first save once that committed.
  SELECT * INTO s FROM ims.form_save f WHERE f.actor = session_user AND f.save_key = p_key;
  RETURN QUERY SELECT false, s.request = p_request, s.result_id;
END
$$;

CREATE FUNCTION api.save_finish(p_key uuid, p_result_id bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  UPDATE ims.form_save f SET result_id = p_result_id
  WHERE f.actor = session_user AND f.save_key = p_key AND f.result_id IS NULL
$$;

-- One adverse reaction, for answering a repeated save; nothing when absent or out of scope.
CREATE FUNCTION api.adverse_reaction(p_reaction_id bigint, p_purpose text) RETURNS SETOF ims.adverse_reaction
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_person bigint := (SELECT r.person_id FROM ims.adverse_reaction r WHERE r.id = p_reaction_id);
BEGIN
  IF v_person IS NOT NULL AND ims.audited_read(v_person, p_purpose) THEN
    RETURN QUERY SELECT * FROM ims.adverse_reaction r WHERE r.id = p_reaction_id;
  END IF;
END
$$;

REVOKE EXECUTE ON FUNCTION api.save_begin(uuid, text), api.save_finish(uuid, bigint), api.adverse_reaction(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.save_begin(uuid, text), api.save_finish(uuid, bigint), api.adverse_reaction(bigint, text)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;
