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
