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

-- ---------------------------------------------------------------------------------------
-- 3. Analysts read aggregates with small numbers suppressed, never rows about people.
--
-- Until now an analyst could read, within their scope, everything a coordinator reads: the
-- person ids (SELECT (id) on ims.person), who viewed whose record (audit.record_view), each
-- person's schedule status rows, and, through the api functions, records, histories, flags and
-- search results. Now the analyst group holds no privilege on any person-linked table and may
-- call only the aggregate functions of the api schema; the functions that read people refuse
-- an analyst even if a later grant forgot them (ims.may_read_people).

-- True for the owner and maintenance roles, and for registered users of a group that works
-- with people's records (every group but the analysts').
CREATE FUNCTION ims.may_read_people() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT NOT ims.is_application_user()
      OR (ims.is_registered_user()
          AND (pg_has_role(session_user, 'ims_administrator', 'USAGE') OR pg_has_role(session_user, 'ims_coordinator', 'USAGE')
               OR pg_has_role(session_user, 'ims_child_health', 'USAGE') OR pg_has_role(session_user, 'ims_occupational_health', 'USAGE')))
$$;
REVOKE EXECUTE ON FUNCTION ims.may_read_people() FROM PUBLIC;

-- The person checks behind every api read of a person and behind the person-linked policies:
-- as before (0002, 0022), and nobody for an analyst.
CREATE OR REPLACE FUNCTION ims.person_in_scope(p_person_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT ims.may_read_people() AND EXISTS (
    SELECT 1 FROM ims.person p
    WHERE p.id = p_person_id
      AND (ims.is_admin()
           OR p.practice_code = ANY (ims.scope_practices())
           OR p.la_code = ANY (ims.scope_local_authorities())))
$$;

CREATE OR REPLACE FUNCTION ims.audited_read(p_person_id bigint, p_purpose text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_purpose text := btrim(p_purpose);
BEGIN
  IF v_purpose IS NULL OR length(v_purpose) = 0 OR length(v_purpose) > 200 THEN
    RAISE EXCEPTION 'A purpose of 1 to 200 characters is required.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT ims.is_application_user() THEN
    RETURN EXISTS (SELECT 1 FROM ims.person WHERE id = p_person_id);
  END IF;
  -- Registration, role (not an analyst) and scope.
  IF NOT ims.person_in_scope(p_person_id) THEN
    RETURN false;
  END IF;
  INSERT INTO audit.record_view (person_id, purpose)
  SELECT p_person_id, v_purpose
  WHERE NOT EXISTS (SELECT 1 FROM audit.record_view v
                    WHERE v.person_id = p_person_id AND v.at = now() AND v.actor = session_user AND v.purpose = v_purpose);
  RETURN true;
END
$$;

-- Search runs one statement with the caller's scope: an analyst searches nobody.
CREATE OR REPLACE FUNCTION ims.person_search_run(p_query jsonb, p_statement text, p_limit integer, p_offset integer)
RETURNS TABLE (id bigint, nhs_number text, given_name text, family_name text, date_of_birth date, gender_code text,
               postcode text, practice_code text, practice_name text, date_of_death date)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_sql text := ims.person_search_sql(p_query, p_statement);
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
BEGIN
  IF p_limit IS NULL OR p_limit < 1 OR p_limit > 1001 OR p_offset IS NULL OR p_offset < 0 OR p_offset > 1000 THEN
    RAISE EXCEPTION 'Search at most 1001 rows at a time, within the first 1000 matches.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF v_sql IS NULL OR p_statement = 'count' THEN
    RAISE EXCEPTION 'Not a search this function runs.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT ims.may_read_people() THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE v_sql
    USING p_query->>'nhsNumber', p_query->>'surname', p_query->>'givenName', p_query->>'dateOfBirth', p_query->>'name',
          p_query->'postcode'->>'value', v_all, v_practices, v_las, p_limit, p_offset;
END
$$;

CREATE OR REPLACE FUNCTION api.person_search_count(p_query jsonb, p_cap integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_sql text := ims.person_search_sql(p_query, 'count');
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_n integer;
BEGIN
  IF p_cap IS NULL OR p_cap < 1 OR p_cap > 1001 OR v_sql IS NULL THEN
    RAISE EXCEPTION 'Count a known search up to at most 1001 matches.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT ims.may_read_people() THEN
    RETURN 0;
  END IF;
  EXECUTE v_sql INTO v_n
    USING p_query->>'nhsNumber', p_query->>'surname', p_query->>'givenName', p_query->>'dateOfBirth', p_query->>'name',
          p_query->'postcode'->>'value', v_all,
          CASE WHEN v_all THEN '{}'::text[] ELSE ims.scope_practices() END,
          CASE WHEN v_all THEN '{}'::text[] ELSE ims.scope_local_authorities() END, p_cap, 0;
  RETURN v_n;
END
$$;

-- One rule for small numbers, wherever an aggregate leaves the database
-- (main-api/shared/vocabulary/reporting.ts says it in words, and a test compares the numbers):
-- 0 is shown; 1 to 7 is suppressed (null); any other count is rounded to the nearest 5. This is
-- NHS England's rule for Hospital Episode Statistics. Rounding every shown figure, totals
-- included (each rounded from its exact count, not summed from rounded ones), is what keeps a
-- suppressed cell from being worked out by subtracting the others from a total: each figure is
-- off by up to 2, so the difference is uncertain by more than the cell it would reveal.
CREATE FUNCTION ims.small_number(p_count bigint) RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN p_count = 0 THEN 0 WHEN p_count <= 7 THEN NULL ELSE (round(p_count / 5.0) * 5)::integer END
$$;

-- Vaccination coverage: of the people in the caller's scope who reached an age (in months)
-- during a period of whole months, how many had at least p_doses doses with the antigen before
-- that birthday (active records of doses given, one a day), by GP practice or by local
-- authority, with a total row (group_code null, is_total). People who died before reaching the
-- age are not counted. Every count goes through ims.small_number, and within a row:
--   * a suppressed cohort suppresses the row's other figures (0 of a handful is disclosive);
--   * vaccinated is also suppressed when the unvaccinated (cohort - vaccinated) are 1 to 7, so a
--     few unvaccinated people cannot be picked out by subtraction;
--   * coverage is a whole percentage, rounded down (never overstating), from the exact counts,
--     shown only when vaccinated is.
-- Nothing here reads a person's record for anyone to see, so nothing is written to record_view.
CREATE FUNCTION api.vaccination_coverage(p_antigen text, p_doses integer, p_age_months integer, p_cohort_from date,
                                         p_cohort_months integer, p_group_by text)
RETURNS TABLE (group_code text, group_name text, is_total boolean, cohort integer, vaccinated integer, coverage_percent integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
  v_to date := (p_cohort_from + make_interval(months => p_cohort_months))::date;
BEGIN
  IF ims.is_application_user() AND NOT ims.is_registered_user() THEN
    RETURN;
  END IF;
  IF p_antigen IS NULL OR NOT EXISTS (SELECT 1 FROM ims.antigen a WHERE a.code = p_antigen)
     OR p_doses IS NULL OR p_doses NOT BETWEEN 1 AND 6
     OR p_age_months IS NULL OR p_age_months NOT BETWEEN 1 AND 240
     OR p_cohort_from IS NULL OR extract(day FROM p_cohort_from) <> 1
     OR p_cohort_months IS NULL OR p_cohort_months NOT BETWEEN 1 AND 12
     OR p_group_by IS NULL OR p_group_by NOT IN ('practice', 'local-authority') THEN
    RAISE EXCEPTION 'Ask for a known antigen, 1 to 6 doses, an age of 1 to 240 months, a period of 1 to 12 whole months and a grouping by practice or local authority.'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY
  WITH born AS (
    -- The people whose birthday at that age falls in the period (a few days either side, for
    -- month ends, then exactly), in scope.
    SELECT p.id, CASE p_group_by WHEN 'practice' THEN p.practice_code ELSE p.la_code END AS grp,
           (p.date_of_birth + make_interval(months => p_age_months))::date AS reached, p.date_of_death
    FROM ims.person p
    WHERE p.date_of_birth >= (p_cohort_from - make_interval(months => p_age_months))::date - 3
      AND p.date_of_birth < (v_to - make_interval(months => p_age_months))::date + 3
      AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)))
  ), members AS (
    SELECT b.id, b.grp, b.reached FROM born b
    WHERE b.reached >= p_cohort_from AND b.reached < v_to AND (b.date_of_death IS NULL OR b.date_of_death >= b.reached)
  ), counted AS (
    SELECT m.grp, (SELECT count(DISTINCT e.occurred_on) FROM ims.vaccination_event e
                   WHERE e.person_id = m.id AND e.status = 'ACTIVE' AND e.outcome = 'GIVEN' AND e.occurred_on < m.reached
                     AND EXISTS (SELECT 1 FROM ims.product_antigen pa
                                 WHERE pa.product_code = e.product_code AND pa.antigen_code = p_antigen)) >= p_doses AS done
    FROM members m
  ), grouped AS (
    SELECT c.grp, GROUPING(c.grp) = 1 AS total, count(*) AS n, count(*) FILTER (WHERE c.done) AS v
    FROM counted c GROUP BY GROUPING SETS ((c.grp), ())
  )
  SELECT g.grp,
         CASE WHEN g.total THEN 'All in your scope'
              WHEN g.grp IS NULL THEN CASE p_group_by WHEN 'practice' THEN 'No registered practice' ELSE 'No local authority' END
              WHEN p_group_by = 'practice' THEN coalesce((SELECT o.name FROM ims.organisation o WHERE o.code = g.grp), g.grp)
              ELSE coalesce((SELECT la.name FROM ims.local_authority la WHERE la.code = g.grp), g.grp) END,
         g.total,
         ims.small_number(g.n),
         CASE WHEN ims.small_number(g.n) IS NULL OR ims.small_number(g.n - g.v) IS NULL THEN NULL ELSE ims.small_number(g.v) END,
         CASE WHEN ims.small_number(g.n) IS NULL OR ims.small_number(g.n - g.v) IS NULL OR ims.small_number(g.v) IS NULL THEN NULL
              ELSE floor(100.0 * g.v / g.n)::integer END
  FROM grouped g
  WHERE g.n > 0 -- the total of nobody: no rows at all
  ORDER BY g.total, 2;
END
$$;

-- Analysts may call the aggregate functions and nothing else in the api schema (this also
-- takes back functions added since 0022 that were granted to every group).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA api FROM ims_analyst;
REVOKE EXECUTE ON FUNCTION api.vaccination_coverage(text, integer, integer, date, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.vaccination_coverage(text, integer, integer, date, integer, text)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
REVOKE EXECUTE ON FUNCTION ims.small_number(bigint) FROM PUBLIC;

-- No rows about people, not even ids: the register's ids, who viewed whose record, the
-- schedule status rows, the recording of record views, and opening a record.
REVOKE ALL ON ims.person, ims.series_status, audit.record_view FROM ims_analyst;
REVOKE EXECUTE ON FUNCTION audit.log_record_view(bigint, text) FROM ims_analyst;
