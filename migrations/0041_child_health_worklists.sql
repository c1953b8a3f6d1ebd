-- Child health: the child register (every child aged 0-19 with their schedule status), worklists
-- of overdue children tracked to zero, actions on a child's record (letters and messages through
-- ims.communication, call outcomes, declines, contraindications, moves, referrals to the GP), and
-- the did-not-attend follow-up list. Codes and labels: main-api/shared/vocabulary/child-health.ts.
--
-- Who may: child health staff and administrators, registered here, within their scope (the
-- person policy's rule: the child's practice or local authority is in scope). The owner (command
-- line) may too. Nothing is granted on the tables: everything goes through the api functions
-- below, which audit every read of a child's row (audit.record_view) and every change.
--
-- Speed at regional scale (500,000 children): the register reads ims.child_status, one narrow
-- row per child derived from ims.series_status and ims.person and kept fresh by the status
-- queue exactly as the cohort facts are (0031): when the drain is done with persons, their rows
-- are replaced in the same transaction; the population refresh rebuilds them. A worklist's
-- members carry what opening it needs (group, place for the scope, whether still overdue, what
-- closed them), so its counts are one scan of its own members, never of the register.

-- ---------------------------------------------------------------------------------------
-- The derived register

-- The day the rows were derived against: children are everyone under 21 on it (one year of
-- margin; the functions take "0-19" on the caller's today).
CREATE TABLE ims.child_status_state (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  as_of    date NOT NULL
);
INSERT INTO ims.child_status_state (as_of) VALUES ('2026-12-01');

-- status: OVERDUE when any schedule series is overdue; else DUE when one is due; else INCOMPLETE
-- when one can no longer be completed as planned (too late, declined, contraindicated, needs a
-- clinician's assessment); else COMPLETE (up to date for age: every series complete or upcoming).
-- rank orders them so (OVERDUE first); overdue_key is overdue_from with "never" last.
CREATE TABLE ims.child_status (
  person_id    bigint PRIMARY KEY,
  dob          date NOT NULL,
  family_key   text NOT NULL,
  given_key    text NOT NULL,
  practice     text,
  la           text,
  district     text,
  school       text,
  year_group   smallint,
  status       text NOT NULL CHECK (status IN ('OVERDUE', 'DUE', 'INCOMPLETE', 'COMPLETE')),
  rank         smallint NOT NULL,
  overdue_from date,
  overdue_key  date NOT NULL,
  owed         text[] NOT NULL
);
-- The register's sort orders, with and without a practice (the commonest filter and scope).
CREATE INDEX child_status_rank_idx ON ims.child_status (rank, overdue_key, person_id);
CREATE INDEX child_status_practice_idx ON ims.child_status (practice, rank, overdue_key, person_id);
CREATE INDEX child_status_la_idx ON ims.child_status (la, rank, overdue_key, person_id);
CREATE INDEX child_status_name_idx ON ims.child_status (family_key, given_key, person_id);
CREATE INDEX child_status_dob_idx ON ims.child_status (dob, person_id);
CREATE INDEX child_status_school_idx ON ims.child_status (school, year_group) WHERE school IS NOT NULL;
CREATE INDEX child_status_district_idx ON ims.child_status (district);

REVOKE ALL ON ims.child_status, ims.child_status_state FROM PUBLIC;
ALTER TABLE ims.child_status ENABLE ROW LEVEL SECURITY;
ALTER TABLE ims.child_status_state ENABLE ROW LEVEL SECURITY;

-- The rows for some persons (all when p_ids is NULL). Deceased people are no one's worklist.
-- IN (SELECT unnest(...)) rather than = ANY: a bulk drain passes thousands of ids, and the list
-- becomes a hash table instead of being compared with every row.
CREATE FUNCTION ims.child_status_rows(p_ids bigint[])
RETURNS TABLE (person_id bigint, dob date, family_key text, given_key text, practice text, la text, district text, school text,
               year_group smallint, status text, rank smallint, overdue_from date, overdue_key date, owed text[])
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  WITH st AS (SELECT as_of FROM ims.child_status_state),
  kids AS (
    SELECT p.* FROM ims.person p, st
    WHERE (p_ids IS NULL OR p.id IN (SELECT unnest(p_ids)))
      AND p.date_of_birth > (st.as_of - interval '21 years')::date
      AND p.date_of_death IS NULL AND p.registration_status <> 'DECEASED'),
  agg AS (
    SELECT s.person_id,
           bool_or(s.status = 'OVERDUE') AS overdue,
           bool_or(s.status = 'DUE') AS due,
           bool_or(s.status IN ('TOO_LATE', 'DECLINED', 'CONTRAINDICATED', 'NEEDS_ASSESSMENT')) AS incomplete,
           min(s.overdue_from) FILTER (WHERE s.status = 'OVERDUE') AS overdue_from,
           array_agg(s.series_id ORDER BY s.overdue_from, s.series_id) FILTER (WHERE s.status = 'OVERDUE') AS owed
    FROM ims.series_status s
    WHERE s.kind = 'SERIES' AND (p_ids IS NULL OR s.person_id IN (SELECT unnest(p_ids)))
    GROUP BY s.person_id)
  SELECT k.id, k.date_of_birth, lower(k.family_name), lower(k.given_name), k.practice_code, k.la_code, k.postcode_district,
         k.school_urn, k.year_group, x.status, x.rank, a.overdue_from, coalesce(a.overdue_from, 'infinity'::date), coalesce(a.owed, '{}')
  FROM kids k
  LEFT JOIN agg a ON a.person_id = k.id
  CROSS JOIN LATERAL (
    SELECT CASE WHEN a.overdue THEN 'OVERDUE' WHEN a.due THEN 'DUE' WHEN a.incomplete THEN 'INCOMPLETE' ELSE 'COMPLETE' END AS status,
           (CASE WHEN a.overdue THEN 1 WHEN a.due THEN 2 WHEN a.incomplete THEN 3 ELSE 4 END)::smallint AS rank) x
$$;

-- ---------------------------------------------------------------------------------------
-- Worklists, their members and the actions on children

CREATE TABLE ims.worklist (
  id          bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name        text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
  group_by    text NOT NULL CHECK (group_by IN ('PRACTICE', 'SCHOOL')),
  filter      jsonb NOT NULL,
  assigned_to text REFERENCES ims.app_user (role_name),
  created_on  date NOT NULL,
  created_by  text NOT NULL DEFAULT session_user,
  created_at  timestamptz NOT NULL DEFAULT now(),
  members     integer NOT NULL DEFAULT 0
);
SELECT audit.attach('ims.worklist');
REVOKE ALL ON ims.worklist FROM PUBLIC;
ALTER TABLE ims.worklist ENABLE ROW LEVEL SECURITY;

CREATE TABLE ims.child_action (
  id                bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  person_id         bigint NOT NULL REFERENCES ims.person (id),
  worklist_id       bigint REFERENCES ims.worklist (id),
  booking_id        bigint REFERENCES ims.booking (id),
  kind              text NOT NULL CHECK (kind IN ('SEND_LETTER', 'SEND_MESSAGE', 'CALL', 'DECLINE', 'CONTRAINDICATED', 'MOVED_AWAY',
                                                  'NOT_KNOWN_AT_ADDRESS', 'REFER_GP')),
  call_outcome      text CHECK (call_outcome IN ('SPOKE_WILL_BOOK', 'SPOKE_TO_THINK', 'NO_ANSWER', 'LEFT_MESSAGE', 'WRONG_NUMBER')),
  decline_reason    text CHECK (decline_reason IN ('PERSONAL_CHOICE', 'SAFETY_CONCERNS', 'RELIGIOUS_OR_CULTURAL', 'HAD_ABROAD_NO_RECORD', 'OTHER')),
  note              text CHECK (length(note) <= 1000),
  series            text[] NOT NULL DEFAULT '{}',
  communication_id  bigint,
  recorded_by       text NOT NULL DEFAULT session_user,
  recorded_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'CALL') = (call_outcome IS NOT NULL)),
  CHECK ((kind = 'DECLINE') = (decline_reason IS NOT NULL)),
  CHECK (kind NOT IN ('CONTRAINDICATED', 'REFER_GP') OR length(btrim(note)) > 0),
  CHECK (decline_reason IS DISTINCT FROM 'OTHER' OR length(btrim(note)) > 0)
);
CREATE INDEX child_action_person_idx ON ims.child_action (person_id, recorded_at);
CREATE INDEX child_action_worklist_idx ON ims.child_action (worklist_id, kind) WHERE worklist_id IS NOT NULL;
CREATE INDEX child_action_booking_idx ON ims.child_action (booking_id) WHERE booking_id IS NOT NULL;
SELECT ims.secure_person_table('ims.child_action');
REVOKE ALL ON ims.child_action FROM ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;

-- overdue: the child is still overdue (kept by the status refresh); closed_action_id: an action
-- that ends the chase (a decline, a contraindication, moved away, not known at the address).
CREATE TABLE ims.worklist_member (
  worklist_id      bigint NOT NULL REFERENCES ims.worklist (id) ON DELETE CASCADE,
  person_id        bigint NOT NULL REFERENCES ims.person (id),
  group_key        text NOT NULL,
  practice         text,
  la               text,
  overdue_from     date NOT NULL,
  overdue          boolean NOT NULL DEFAULT true,
  closed_action_id bigint REFERENCES ims.child_action (id),
  closed_kind      text CHECK (closed_kind IN ('DECLINE', 'CONTRAINDICATED', 'MOVED_AWAY', 'NOT_KNOWN_AT_ADDRESS')),
  PRIMARY KEY (worklist_id, person_id),
  CHECK ((closed_action_id IS NULL) = (closed_kind IS NULL))
);
-- A worklist's open rows in page order, the members' counts (the same index, read whole), and a
-- person's memberships (closing them, refreshing "still overdue").
CREATE INDEX worklist_member_open_idx ON ims.worklist_member (worklist_id, group_key, overdue_from, person_id)
  WHERE overdue AND closed_action_id IS NULL;
CREATE INDEX worklist_member_person_idx ON ims.worklist_member (person_id);
SELECT ims.secure_person_table('ims.worklist_member');
REVOKE ALL ON ims.worklist_member FROM ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
-- Members are written a worklist at a time (100,000 in a statement): one change_log row per
-- statement, as for invitations (0032); their changes after that are audited row by row.
DROP TRIGGER audit_insert ON ims.worklist_member;
CREATE TRIGGER audit_insert AFTER INSERT ON ims.worklist_member REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_summary();
-- The status refresh flips "still overdue" for many members at once: derived, not audited.
DROP TRIGGER audit_update ON ims.worklist_member;
CREATE FUNCTION ims.worklist_member_audit_close() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  INSERT INTO audit.change_log (table_name, operation, row_id, person_id, old_row, new_row)
  SELECT 'ims.worklist_member', 'UPDATE', n.worklist_id || '/' || n.person_id, n.person_id, to_jsonb(o), to_jsonb(n)
  FROM new_rows n JOIN old_rows o ON (o.worklist_id, o.person_id) = (n.worklist_id, n.person_id)
  WHERE n.closed_action_id IS DISTINCT FROM o.closed_action_id;
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.worklist_member_audit_close() FROM PUBLIC;
CREATE TRIGGER audit_close AFTER UPDATE ON ims.worklist_member REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ims.worklist_member_audit_close();

-- Did-not-attend bookings, newest first, for the follow-up list.
CREATE INDEX booking_did_not_attend_idx ON ims.booking (booked_for DESC, id DESC) WHERE status = 'DID_NOT_ATTEND';

-- ---------------------------------------------------------------------------------------
-- A child's overdue letter or message is a communication like a campaign's: pending until the
-- sending pipeline takes it. It belongs to the child action that asked for it, not a campaign.

ALTER TABLE ims.communication ADD COLUMN child_action_id bigint UNIQUE REFERENCES ims.child_action (id);
ALTER TABLE ims.communication ALTER COLUMN campaign_id DROP NOT NULL;
DO $$
DECLARE
  r record;
BEGIN
  -- The purpose list and "exactly one thing it is about" are replaced; their names were chosen
  -- by PostgreSQL, so they are found by what they say.
  FOR r IN SELECT k.conname FROM pg_constraint k
           WHERE k.conrelid = 'ims.communication'::regclass AND k.contype = 'c'
             AND (pg_get_constraintdef(k.oid) LIKE '%num_nonnulls(invitation_id, booking_id, recall_id)%'
                  OR pg_get_constraintdef(k.oid) LIKE 'CHECK ((purpose = ANY%')
  LOOP
    EXECUTE format('ALTER TABLE ims.communication DROP CONSTRAINT %I', r.conname);
  END LOOP;
END
$$;
ALTER TABLE ims.communication
  ADD CONSTRAINT communication_purpose_check CHECK (purpose IN ('INVITATION', 'REMINDER', 'RECALL', 'DID_NOT_ATTEND', 'CHILD_OVERDUE')),
  ADD CONSTRAINT communication_about_one CHECK (num_nonnulls(invitation_id, booking_id, recall_id, child_action_id) = 1),
  ADD CONSTRAINT communication_child_overdue CHECK ((purpose = 'CHILD_OVERDUE') = (child_action_id IS NOT NULL)),
  ADD CONSTRAINT communication_campaign CHECK (campaign_id IS NOT NULL OR purpose = 'CHILD_OVERDUE');

-- communication_once keeps one of each per thing it is about; a child overdue communication is
-- about its action, so the action is part of the key. The functions that insert with ON CONFLICT
-- name the key's columns, so each is redefined with the one more column, as written in its
-- latest migration otherwise.
DROP INDEX ims.communication_once;
CREATE UNIQUE INDEX communication_once ON ims.communication
  (purpose, invitation_id, booking_id, recall_id, reminder_rule_id, fallback_of, child_action_id) NULLS NOT DISTINCT;
DO $$
DECLARE
  r record;
  v_def text;
  v_from constant text := 'reminder_rule_id, fallback_of) DO NOTHING';
  v_to constant text := 'reminder_rule_id, fallback_of, child_action_id) DO NOTHING';
BEGIN
  FOR r IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname IN ('api', 'ims') AND p.prosrc LIKE '%' || v_from || '%'
  LOOP
    v_def := replace(pg_get_functiondef(r.oid), v_from, v_to);
    EXECUTE v_def;
  END LOOP;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Keeping the derived rows fresh

-- Replaces the child rows of some persons and refreshes their worklist memberships' "still
-- overdue". Rows are locked in key order, so two drains never deadlock.
CREATE FUNCTION ims.child_status_refresh(p_ids bigint[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
  IF p_ids IS NULL OR cardinality(p_ids) = 0 THEN
    RETURN;
  END IF;
  PERFORM 1 FROM ims.child_status c WHERE c.person_id IN (SELECT unnest(p_ids)) ORDER BY c.person_id FOR UPDATE;
  WITH fresh AS MATERIALIZED (SELECT * FROM ims.child_status_rows(p_ids)),
  gone AS (DELETE FROM ims.child_status c WHERE c.person_id IN (SELECT unnest(p_ids)) AND c.person_id NOT IN (SELECT f.person_id FROM fresh f))
  INSERT INTO ims.child_status AS c
  SELECT * FROM fresh
  ON CONFLICT (person_id) DO UPDATE SET
    dob = excluded.dob, family_key = excluded.family_key, given_key = excluded.given_key, practice = excluded.practice,
    la = excluded.la, district = excluded.district, school = excluded.school, year_group = excluded.year_group,
    status = excluded.status, rank = excluded.rank, overdue_from = excluded.overdue_from, overdue_key = excluded.overdue_key,
    owed = excluded.owed;
  UPDATE ims.worklist_member m SET overdue = coalesce(c.status = 'OVERDUE', false), practice = coalesce(c.practice, m.practice),
    la = coalesce(c.la, m.la)
  FROM (SELECT u.id FROM unnest(p_ids) AS u(id)) x
  LEFT JOIN ims.child_status c ON c.person_id = x.id
  WHERE m.person_id = x.id
    AND (m.overdue, m.practice, m.la) IS DISTINCT FROM (coalesce(c.status = 'OVERDUE', false), coalesce(c.practice, m.practice), coalesce(c.la, m.la));
END
$$;

-- Rebuilds every row as of p_as_of (the stored day when NULL), in the population refresh's
-- transaction; readers keep the old rows until it commits.
CREATE FUNCTION ims.child_status_rebuild(p_as_of date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET work_mem = '256MB' AS $$
DECLARE
  v_rows integer;
BEGIN
  UPDATE ims.child_status_state SET as_of = coalesce(p_as_of, as_of);
  TRUNCATE ims.child_status;
  INSERT INTO ims.child_status SELECT * FROM ims.child_status_rows(NULL) ORDER BY 1;
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  UPDATE ims.worklist_member m SET overdue = x.overdue
  FROM (SELECT m2.worklist_id, m2.person_id, EXISTS (SELECT 1 FROM ims.child_status c WHERE c.person_id = m2.person_id AND c.status = 'OVERDUE') AS overdue
        FROM ims.worklist_member m2) x
  WHERE (m.worklist_id, m.person_id) = (x.worklist_id, x.person_id) AND m.overdue <> x.overdue;
  ANALYZE ims.child_status;
  RETURN v_rows;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.child_status_rows(bigint[]), ims.child_status_refresh(bigint[]), ims.child_status_rebuild(date) FROM PUBLIC;

-- When the status drain is done with persons, their child rows follow in the same transaction.
-- The population refresh clears the queue before it swaps the new status in, and rebuilds every
-- child row after the swap in the same transaction: its clearing has nothing to refresh.
CREATE FUNCTION ims.child_status_follow_queue() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM ims.series_status_refresh_hold h WHERE h.refresh_xid = pg_current_xact_id()) THEN
    RETURN NULL;
  END IF;
  PERFORM ims.child_status_refresh(ARRAY(SELECT DISTINCT person_id FROM old_rows));
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.child_status_follow_queue() FROM PUBLIC;
CREATE TRIGGER child_status_follow AFTER DELETE ON ims.series_status_stale REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ims.child_status_follow_queue();

-- The rows also keep names, for sorting by name. A new name changes no one's status, so it is
-- copied straight onto the row rather than queued (what the engine reads is queued already).
CREATE FUNCTION ims.child_follow_names() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE ims.child_status c SET family_key = lower(n.family_name), given_key = lower(n.given_name)
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE c.person_id = n.id AND (n.family_name, n.given_name) IS DISTINCT FROM (o.family_name, o.given_name);
  RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.child_follow_names() FROM PUBLIC;
CREATE TRIGGER child_follow_names AFTER UPDATE ON ims.person REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ims.child_follow_names();

-- ---------------------------------------------------------------------------------------
-- Checks shared by the functions

-- Child health staff and administrators registered here (and the owner, for the command line).
CREATE FUNCTION ims.may_work_child_health() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT NOT ims.is_application_user()
      OR (ims.is_registered_user()
          AND (pg_has_role(session_user, 'ims_administrator', 'USAGE') OR pg_has_role(session_user, 'ims_child_health', 'USAGE')))
$$;

CREATE FUNCTION ims.refuse_unless_child_health() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.may_work_child_health() THEN
    RAISE EXCEPTION 'Your role may not use the child health worklists.' USING ERRCODE = 'insufficient_privilege';
  END IF;
END
$$;

-- The age bands of the register, as CHILD_AGE_BANDS in the vocabulary: [from, to] whole years.
CREATE FUNCTION ims.child_age_band(p_code text) RETURNS integer[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p_code WHEN 'UNDER_1' THEN '{0,0}' WHEN '1_TO_4' THEN '{1,4}' WHEN '5_TO_11' THEN '{5,11}'
                     WHEN '12_TO_15' THEN '{12,15}' WHEN '16_TO_19' THEN '{16,19}' END::integer[]
$$;

-- One list of codes in the filter, checked by form: each a string matching p_re, at most 500.
CREATE FUNCTION ims.child_filter_list(p_filter jsonb, p_key text, p_re text) RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT p_filter ? p_key OR p_filter -> p_key = 'null'::jsonb THEN
    RETURN false;
  END IF;
  IF jsonb_typeof(p_filter -> p_key) <> 'array' OR jsonb_array_length(p_filter -> p_key) NOT BETWEEN 1 AND 500
     OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_filter -> p_key) e
                WHERE jsonb_typeof(e) NOT IN ('string', 'number') OR (e #>> '{}') !~ p_re) THEN
    PERFORM ims.refuse_bad_request(format('The filter''s %s is not a list of valid codes.', p_key));
  END IF;
  RETURN true;
END
$$;

-- The register filter as fixed pieces of SQL over ims.child_status c, whose values are read from
-- the filter itself ($1) at run time, with today as $2; checked here again, whatever the client
-- checked. Unknown keys are refused.
CREATE FUNCTION ims.child_filter_where(p_filter jsonb) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  w text := 'c.dob <= $2 AND c.dob > ($2 - interval ''20 years'')::date';
  v_key text;
  v_band text;
  v_bands text[] := '{}';
  v_n integer;
BEGIN
  IF p_filter IS NULL OR jsonb_typeof(p_filter) <> 'object' THEN
    PERFORM ims.refuse_bad_request('The filter must be an object.');
  END IF;
  FOR v_key IN SELECT jsonb_object_keys(p_filter) LOOP
    IF v_key NOT IN ('practices', 'localAuthorities', 'districts', 'schools', 'yearGroups', 'ageBands', 'statuses',
                     'minDaysOverdue', 'maxDaysOverdue') THEN
      PERFORM ims.refuse_bad_request(format('The filter has no field %s.', left(v_key, 40)));
    END IF;
  END LOOP;
  IF ims.child_filter_list(p_filter, 'practices', '^[A-Z0-9]{3,8}$') THEN
    w := w || ' AND c.practice IN (SELECT jsonb_array_elements_text($1->''practices''))';
  END IF;
  IF ims.child_filter_list(p_filter, 'localAuthorities', '^[EW]0[6-9][0-9]{6}$') THEN
    w := w || ' AND c.la IN (SELECT jsonb_array_elements_text($1->''localAuthorities''))';
  END IF;
  IF ims.child_filter_list(p_filter, 'districts', '^[A-Z]{1,2}[0-9][0-9A-Z]?$') THEN
    w := w || ' AND c.district IN (SELECT jsonb_array_elements_text($1->''districts''))';
  END IF;
  IF ims.child_filter_list(p_filter, 'schools', '^[0-9]{6,7}$') THEN
    w := w || ' AND c.school IN (SELECT jsonb_array_elements_text($1->''schools''))';
  END IF;
  IF ims.child_filter_list(p_filter, 'yearGroups', '^(-1|[0-9]|1[0-4])$') THEN
    w := w || ' AND c.year_group IN (SELECT (jsonb_array_elements_text($1->''yearGroups''))::smallint)';
  END IF;
  IF ims.child_filter_list(p_filter, 'statuses', '^(OVERDUE|DUE|INCOMPLETE|COMPLETE)$') THEN
    w := w || ' AND c.status IN (SELECT jsonb_array_elements_text($1->''statuses''))';
  END IF;
  IF ims.child_filter_list(p_filter, 'ageBands', '^(UNDER_1|1_TO_4|5_TO_11|12_TO_15|16_TO_19)$') THEN
    FOR v_band IN SELECT DISTINCT jsonb_array_elements_text(p_filter -> 'ageBands') ORDER BY 1 LOOP
      -- Whole years on today: born on or before today less "from" years, after today less "to + 1".
      v_bands := v_bands || format('(c.dob <= ($2 - interval ''%s years'')::date AND c.dob > ($2 - interval ''%s years'')::date)',
                                   (ims.child_age_band(v_band))[1], (ims.child_age_band(v_band))[2] + 1);
    END LOOP;
    w := w || ' AND (' || array_to_string(v_bands, ' OR ') || ')';
  END IF;
  FOREACH v_key IN ARRAY ARRAY['minDaysOverdue', 'maxDaysOverdue'] LOOP
    IF p_filter ? v_key AND p_filter -> v_key <> 'null'::jsonb THEN
      IF jsonb_typeof(p_filter -> v_key) <> 'number' OR (p_filter ->> v_key) !~ '^[0-9]{1,5}$' THEN
        PERFORM ims.refuse_bad_request(format('The filter''s %s must be a whole number of days from 0 to 99999.', v_key));
      END IF;
      v_n := (p_filter ->> v_key)::integer;
      w := w || CASE v_key WHEN 'minDaysOverdue' THEN ' AND c.overdue_from <= $2 - ($1->>''minDaysOverdue'')::integer'
                           ELSE ' AND c.overdue_from >= $2 - ($1->>''maxDaysOverdue'')::integer' END;
    END IF;
  END LOOP;
  RETURN w;
END
$$;

-- The caller's scope over ims.child_status c (or any alias with practice and la), with the
-- arrays bound as $3 (all), $4 (practices) and $5 (local authorities).
CREATE FUNCTION ims.child_scope_where(p_alias text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT format('($3 OR %1$s.practice IN (SELECT unnest($4::text[])) OR %1$s.la IN (SELECT unnest($5::text[])))', p_alias)
$$;

REVOKE EXECUTE ON FUNCTION ims.may_work_child_health(), ims.refuse_unless_child_health(), ims.child_age_band(text),
  ims.child_filter_list(jsonb, text, text), ims.child_filter_where(jsonb), ims.child_scope_where(text) FROM PUBLIC;

-- The register sort orders: the key columns and their types, for ORDER BY and the keyset cursor.
CREATE FUNCTION ims.child_sort_keys(p_sort text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p_sort
    WHEN 'overdue' THEN '{c.rank,smallint,c.overdue_key,date,c.person_id,bigint}'
    WHEN 'name' THEN '{c.family_key,text,c.given_key,text,c.person_id,bigint}'
    WHEN 'dob' THEN '{c.dob,date,c.person_id,bigint}'
  END::text[]
$$;
REVOKE EXECUTE ON FUNCTION ims.child_sort_keys(text) FROM PUBLIC;

-- Children's rows as the register, worklists and the export show them, in the order of p_ids
-- (n), in one statement for a whole page.
CREATE FUNCTION ims.child_rows_json(p_ids bigint[], p_today date) RETURNS TABLE (n bigint, person_id bigint, item jsonb)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT u.n, p.id, jsonb_build_object(
    'personId', p.id, 'nhsNumber', p.nhs_number, 'givenName', p.given_name, 'familyName', p.family_name,
    'dateOfBirth', p.date_of_birth, 'practiceCode', p.practice_code, 'practiceName', o.name,
    'localAuthority', la.name, 'postcodeDistrict', p.postcode_district,
    'schoolUrn', p.school_urn, 'schoolName', sc.name, 'yearGroup', p.year_group,
    'status', c.status, 'overdueFrom', c.overdue_from,
    'daysOverdue', CASE WHEN c.overdue_from IS NOT NULL THEN greatest(p_today - c.overdue_from, 0) END,
    'owed', coalesce(ow.owed, '[]'))
  FROM unnest(p_ids) WITH ORDINALITY AS u(id, n)
  JOIN ims.person p ON p.id = u.id
  JOIN ims.child_status c ON c.person_id = p.id
  LEFT JOIN ims.organisation o ON o.code = p.practice_code
  LEFT JOIN ims.local_authority la ON la.code = p.la_code
  LEFT JOIN ims.school sc ON sc.urn = p.school_urn
  LEFT JOIN LATERAL (
    SELECT jsonb_agg(jsonb_build_object('seriesId', s.series_id, 'name', s.series_name, 'status', s.status,
                                        'dose', s.next_dose, 'dueDate', s.due_date, 'overdueFrom', s.overdue_from)
                     ORDER BY s.status DESC, s.overdue_from, s.due_date, s.series_id) AS owed
    FROM ims.series_status s
    WHERE s.person_id = p.id AND s.kind = 'SERIES' AND s.status IN ('OVERDUE', 'DUE')) ow ON true
$$;
-- One child's row (the did-not-attend list, where a child may appear once per missed booking).
CREATE FUNCTION ims.child_row_json(p_person_id bigint, p_today date) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT r.item FROM ims.child_rows_json(ARRAY[p_person_id], p_today) r
$$;
REVOKE EXECUTE ON FUNCTION ims.child_rows_json(bigint[], date), ims.child_row_json(bigint, date) FROM PUBLIC;

-- Records that the caller read these children's rows (for application users), once per
-- person, purpose and transaction.
CREATE FUNCTION ims.audit_child_reads(p_ids bigint[], p_purpose text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  INSERT INTO audit.record_view (person_id, purpose)
  SELECT DISTINCT u.id, p_purpose FROM unnest(p_ids) AS u(id)
  WHERE ims.is_application_user()
    AND NOT EXISTS (SELECT 1 FROM audit.record_view v
                    WHERE v.person_id = u.id AND v.at = now() AND v.actor = session_user AND v.purpose = p_purpose)
$$;
REVOKE EXECUTE ON FUNCTION ims.audit_child_reads(bigint[], text) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------
-- The register

-- A page of the register: children matching the filter within the caller's scope, in the sort
-- order, after the cursor (the previous page's last keys), each read audited.
-- Answers {rows: [...], next: [keys] | null}.
CREATE FUNCTION api.child_register_page(p_filter jsonb, p_sort text, p_descending boolean, p_after jsonb, p_limit integer, p_today date)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
  v_keys text[] := ims.child_sort_keys(p_sort);
  v_cols text[] := '{}';
  v_after text[] := '{}';
  v_order text;
  v_where text;
  v_ids bigint[];
  v_last jsonb;
  i integer;
BEGIN
  PERFORM ims.refuse_unless_child_health();
  IF v_keys IS NULL THEN
    PERFORM ims.refuse_bad_request('Sort by overdue, name or dob.');
  END IF;
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 500 THEN
    PERFORM ims.refuse_bad_request('A page holds 1 to 500 children.');
  END IF;
  IF p_today IS NULL THEN
    PERFORM ims.refuse_bad_request('Today''s date is required.');
  END IF;
  FOR i IN 1 .. cardinality(v_keys) / 2 LOOP
    v_cols := v_cols || v_keys[2 * i - 1];
    v_after := v_after || format('($6->>%s)::%s', i - 1, v_keys[2 * i]);
  END LOOP;
  IF p_after IS NOT NULL AND (jsonb_typeof(p_after) <> 'array' OR jsonb_array_length(p_after) <> cardinality(v_cols)) THEN
    PERFORM ims.refuse_bad_request('The page cursor does not fit this sort order.');
  END IF;
  v_where := ims.child_filter_where(p_filter) || ' AND ' || ims.child_scope_where('c');
  IF p_after IS NOT NULL THEN
    v_where := v_where || format(' AND (%s) %s (%s)', array_to_string(v_cols, ', '), CASE WHEN p_descending THEN '<' ELSE '>' END,
                                 array_to_string(v_after, ', '));
  END IF;
  v_order := (SELECT string_agg(col || CASE WHEN p_descending THEN ' DESC' ELSE '' END, ', ') FROM unnest(v_cols) AS col);
  BEGIN
    EXECUTE format('SELECT array_agg(person_id ORDER BY n), (array_agg(k ORDER BY n DESC))[1] FROM (
                      SELECT c.person_id, jsonb_build_array(%1$s) AS k, row_number() OVER (ORDER BY %3$s) AS n
                      FROM (SELECT c.* FROM ims.child_status c WHERE %2$s ORDER BY %3$s LIMIT $7) c) x',
                   array_to_string(v_cols, ', '), v_where, v_order)
      INTO v_ids, v_last
      USING p_filter, p_today, v_all, v_practices, v_las, p_after, p_limit;
  EXCEPTION WHEN invalid_text_representation OR invalid_datetime_format OR datetime_field_overflow OR numeric_value_out_of_range THEN
    PERFORM ims.refuse_bad_request('The page cursor is not one this list gave.');
  END;
  PERFORM ims.audit_child_reads(coalesce(v_ids, '{}'), 'child register');
  RETURN jsonb_build_object(
    'rows', coalesce((SELECT jsonb_agg(r.item ORDER BY r.n) FROM ims.child_rows_json(v_ids, p_today) r), '[]'),
    'next', CASE WHEN cardinality(v_ids) = p_limit THEN v_last END);
END
$$;

-- How many children match the filter within the caller's scope, by status: figures, no one's row.
CREATE FUNCTION api.child_register_counts(p_filter jsonb, p_today date) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
  v_result jsonb;
BEGIN
  PERFORM ims.refuse_unless_child_health();
  IF p_today IS NULL THEN
    PERFORM ims.refuse_bad_request('Today''s date is required.');
  END IF;
  EXECUTE format('SELECT jsonb_build_object(''total'', count(*),
                    ''OVERDUE'', count(*) FILTER (WHERE c.rank = 1), ''DUE'', count(*) FILTER (WHERE c.rank = 2),
                    ''INCOMPLETE'', count(*) FILTER (WHERE c.rank = 3), ''COMPLETE'', count(*) FILTER (WHERE c.rank = 4))
                  FROM ims.child_status c WHERE %s', ims.child_filter_where(p_filter) || ' AND ' || ims.child_scope_where('c'))
    INTO v_result USING p_filter, p_today, v_all, v_practices, v_las;
  RETURN v_result;
END
$$;

-- Every matching child in scope, in the sort order, for the CSV export (at most p_limit); each
-- read audited as an export.
CREATE FUNCTION api.child_register_export(p_filter jsonb, p_sort text, p_today date, p_limit integer) RETURNS SETOF jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
  v_keys text[] := ims.child_sort_keys(p_sort);
  v_ids bigint[];
BEGIN
  PERFORM ims.refuse_unless_child_health();
  IF v_keys IS NULL THEN
    PERFORM ims.refuse_bad_request('Sort by overdue, name or dob.');
  END IF;
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000000 THEN
    PERFORM ims.refuse_bad_request('An export holds 1 to 1,000,000 children.');
  END IF;
  EXECUTE format('SELECT array_agg(person_id) FROM (SELECT c.person_id FROM ims.child_status c WHERE %s ORDER BY %s LIMIT $6) x',
                 ims.child_filter_where(p_filter) || ' AND ' || ims.child_scope_where('c'),
                 (SELECT string_agg(v_keys[2 * i - 1], ', ') FROM generate_series(1, cardinality(v_keys) / 2) AS i))
    INTO v_ids USING p_filter, p_today, v_all, v_practices, v_las, p_limit;
  PERFORM ims.audit_child_reads(coalesce(v_ids, '{}'), 'child register export');
  RETURN QUERY SELECT r.item FROM ims.child_rows_json(v_ids, p_today) r ORDER BY r.n;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Worklists

CREATE FUNCTION ims.worklist_for(p_id bigint) RETURNS ims.worklist
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  w ims.worklist;
BEGIN
  PERFORM ims.refuse_unless_child_health();
  SELECT * INTO w FROM ims.worklist x WHERE x.id = p_id;
  IF w.id IS NULL THEN
    RAISE EXCEPTION 'No worklist % is available to you.', p_id USING ERRCODE = 'no_data_found';
  END IF;
  RETURN w;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.worklist_for(bigint) FROM PUBLIC;

-- The people a worklist may be assigned to: registered, enabled child health staff or administrators.
CREATE FUNCTION ims.worklist_assignee(p_role text) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_role IS NULL THEN
    RETURN NULL;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM ims.app_user u WHERE u.role_name = p_role AND u.disabled_at IS NULL
                   AND (pg_has_role(p_role, 'ims_child_health', 'USAGE') OR pg_has_role(p_role, 'ims_administrator', 'USAGE'))) THEN
    PERFORM ims.refuse_bad_request(format('%s is not a child health user of this database.', left(p_role, 63)));
  END IF;
  RETURN p_role;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.worklist_assignee(text) FROM PUBLIC;

-- Makes a worklist of the overdue children matching the filter within the caller's scope, grouped
-- by practice or school. Children whose chase an earlier action ended (declined, contraindicated,
-- moved away, not known at the address) since they became overdue are left out.
CREATE FUNCTION api.worklist_create(p_name text, p_filter jsonb, p_group_by text, p_assign_to text, p_today date) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
  v_filter jsonb;
  v_id bigint;
  v_n integer;
BEGIN
  PERFORM ims.refuse_unless_child_health();
  IF p_group_by IS NULL OR p_group_by NOT IN ('PRACTICE', 'SCHOOL') THEN
    PERFORM ims.refuse_bad_request('Group a worklist by PRACTICE or SCHOOL.');
  END IF;
  IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 120 THEN
    PERFORM ims.refuse_bad_request('A worklist''s name has 1 to 120 characters.');
  END IF;
  IF p_today IS NULL THEN
    PERFORM ims.refuse_bad_request('Today''s date is required.');
  END IF;
  -- A worklist is of overdue children, whatever statuses the filter named.
  v_filter := coalesce(p_filter, '{}'::jsonb) - 'statuses' || '{"statuses": ["OVERDUE"]}'::jsonb;
  INSERT INTO ims.worklist (name, group_by, filter, assigned_to, created_on)
  VALUES (btrim(p_name), p_group_by, v_filter, ims.worklist_assignee(p_assign_to), p_today)
  RETURNING id INTO v_id;
  PERFORM set_config('ims.campaign_audit_note', format('worklist %s', v_id), true);
  EXECUTE format(
    'INSERT INTO ims.worklist_member (worklist_id, person_id, group_key, practice, la, overdue_from)
     SELECT $6, c.person_id, coalesce(CASE $7 WHEN ''PRACTICE'' THEN c.practice ELSE c.school END, ''''), c.practice, c.la, c.overdue_from
     FROM ims.child_status c
     WHERE %s
       AND NOT EXISTS (SELECT 1 FROM ims.child_action a
                       WHERE a.person_id = c.person_id AND a.kind IN (''DECLINE'', ''CONTRAINDICATED'', ''MOVED_AWAY'', ''NOT_KNOWN_AT_ADDRESS'')
                         AND a.recorded_at >= c.overdue_from)
     ORDER BY 3, c.overdue_from, c.person_id',
    ims.child_filter_where(v_filter) || ' AND ' || ims.child_scope_where('c'))
    USING v_filter, p_today, v_all, v_practices, v_las, v_id, p_group_by;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  PERFORM set_config('ims.campaign_audit_note', '', true);
  UPDATE ims.worklist SET members = v_n WHERE id = v_id;
  RETURN jsonb_build_object('id', v_id, 'members', v_n);
END
$$;

CREATE FUNCTION api.worklist_assign(p_id bigint, p_assign_to text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.worklist_for(p_id);
  UPDATE ims.worklist SET assigned_to = ims.worklist_assignee(p_assign_to) WHERE id = p_id;
END
$$;

-- Who a worklist may be assigned to.
CREATE FUNCTION api.worklist_assignees() RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.refuse_unless_child_health();
  RETURN coalesce((SELECT jsonb_agg(jsonb_build_object('roleName', u.role_name, 'displayName', u.display_name) ORDER BY u.display_name, u.role_name)
                   FROM ims.app_user u
                   WHERE u.disabled_at IS NULL
                     AND (pg_has_role(u.role_name, 'ims_child_health', 'USAGE') OR pg_has_role(u.role_name, 'ims_administrator', 'USAGE'))), '[]');
END
$$;

-- The worklists, newest first, with their open counts within the caller's scope.
CREATE FUNCTION api.worklists() RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
BEGIN
  PERFORM ims.refuse_unless_child_health();
  RETURN coalesce((
    SELECT jsonb_agg(jsonb_build_object('id', w.id, 'name', w.name, 'groupBy', w.group_by, 'assignedTo', w.assigned_to,
                                        'createdBy', w.created_by, 'createdOn', w.created_on, 'members', w.members,
                                        'open', (SELECT count(*) FROM ims.worklist_member m
                                                 WHERE m.worklist_id = w.id AND m.overdue AND m.closed_action_id IS NULL
                                                   AND (v_all OR m.practice IN (SELECT unnest(v_practices)) OR m.la IN (SELECT unnest(v_las)))))
                     ORDER BY w.created_at DESC, w.id DESC)
    FROM (SELECT * FROM ims.worklist ORDER BY created_at DESC, id DESC LIMIT 200) w), '[]');
END
$$;

-- Opens a worklist: its counts (members, still open, closed by each kind of action, no longer
-- overdue, actions done by kind), its groups with their open counts, and a page of its open
-- children (in one group when p_group is given) after the cursor [group, overdue_from, id],
-- each child's read audited. Everything within the caller's scope.
CREATE FUNCTION api.worklist_open(p_id bigint, p_group text, p_after jsonb, p_limit integer, p_today date) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  w ims.worklist := ims.worklist_for(p_id);
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
  v_counts jsonb;
  v_groups jsonb;
  v_actions jsonb;
  v_rows bigint[];
  v_last record;
  v_ag text;
  v_ad date;
  v_ai bigint;
BEGIN
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 500 THEN
    PERFORM ims.refuse_bad_request('A page holds 1 to 500 children.');
  END IF;
  IF p_after IS NOT NULL THEN
    BEGIN
      IF jsonb_typeof(p_after) <> 'array' OR jsonb_array_length(p_after) <> 3 THEN
        RAISE invalid_text_representation;
      END IF;
      v_ag := p_after ->> 0;
      v_ad := (p_after ->> 1)::date;
      v_ai := (p_after ->> 2)::bigint;
    EXCEPTION WHEN invalid_text_representation OR invalid_datetime_format OR datetime_field_overflow OR numeric_value_out_of_range THEN
      PERFORM ims.refuse_bad_request('The page cursor is not one this worklist gave.');
    END;
  END IF;
  -- One pass over the worklist's members in scope.
  WITH m AS MATERIALIZED (
    SELECT x.group_key, x.overdue, x.closed_kind FROM ims.worklist_member x
    WHERE x.worklist_id = p_id AND (v_all OR x.practice IN (SELECT unnest(v_practices)) OR x.la IN (SELECT unnest(v_las)))),
  g AS (
    SELECT group_key, count(*) AS members, count(*) FILTER (WHERE overdue AND closed_kind IS NULL) AS open FROM m GROUP BY group_key)
  SELECT jsonb_build_object(
           'members', (SELECT count(*) FROM m),
           'open', (SELECT count(*) FROM m WHERE overdue AND closed_kind IS NULL),
           'noLongerOverdue', (SELECT count(*) FROM m WHERE NOT overdue AND closed_kind IS NULL),
           'closed', coalesce((SELECT jsonb_object_agg(k, n) FROM (SELECT closed_kind AS k, count(*) AS n FROM m WHERE closed_kind IS NOT NULL GROUP BY 1) c), '{}')),
         coalesce((SELECT jsonb_agg(jsonb_build_object('key', g.group_key,
                                                       'label', coalesce(CASE w.group_by WHEN 'PRACTICE' THEN o.name ELSE s.name END,
                                                                         nullif(g.group_key, ''), 'None recorded'),
                                                       'members', g.members, 'open', g.open) ORDER BY g.open DESC, g.group_key)
                   FROM g LEFT JOIN ims.organisation o ON w.group_by = 'PRACTICE' AND o.code = g.group_key
                   LEFT JOIN ims.school s ON w.group_by = 'SCHOOL' AND s.urn = g.group_key), '[]')
    INTO v_counts, v_groups;
  SELECT coalesce(jsonb_object_agg(kind, n), '{}') INTO v_actions
  FROM (SELECT a.kind, count(*) AS n FROM ims.child_action a
        WHERE a.worklist_id = p_id AND (v_all OR ims.person_in_scope(a.person_id)) GROUP BY a.kind) a;
  SELECT array_agg(x.person_id ORDER BY x.group_key, x.overdue_from, x.person_id) INTO v_rows
  FROM (SELECT m.person_id, m.group_key, m.overdue_from FROM ims.worklist_member m
        WHERE m.worklist_id = p_id AND m.overdue AND m.closed_action_id IS NULL
          AND (p_group IS NULL OR m.group_key = p_group)
          AND (p_after IS NULL OR (m.group_key, m.overdue_from, m.person_id) > (v_ag, v_ad, v_ai))
          AND (v_all OR m.practice IN (SELECT unnest(v_practices)) OR m.la IN (SELECT unnest(v_las)))
        ORDER BY m.group_key, m.overdue_from, m.person_id LIMIT p_limit) x;
  PERFORM ims.audit_child_reads(coalesce(v_rows, '{}'), 'child health worklist');
  SELECT m.group_key, m.overdue_from, m.person_id INTO v_last FROM ims.worklist_member m
  WHERE m.worklist_id = p_id AND m.person_id = v_rows[cardinality(v_rows)];
  RETURN jsonb_build_object(
    'worklist', jsonb_build_object('id', w.id, 'name', w.name, 'groupBy', w.group_by, 'assignedTo', w.assigned_to, 'createdBy', w.created_by,
                                   'createdOn', w.created_on, 'filter', w.filter),
    'counts', v_counts || jsonb_build_object('actions', v_actions),
    'groups', v_groups,
    'rows', coalesce((SELECT jsonb_agg(r.item || jsonb_build_object('groupKey', m.group_key) ORDER BY r.n)
                      FROM ims.child_rows_json(v_rows, p_today) r
                      JOIN ims.worklist_member m ON m.worklist_id = p_id AND m.person_id = r.person_id), '[]'),
    'next', CASE WHEN cardinality(v_rows) = p_limit THEN jsonb_build_array(v_last.group_key, v_last.overdue_from, v_last.person_id) END);
END
$$;

-- ---------------------------------------------------------------------------------------
-- Actions on a child

-- Records an action on a child in the caller's scope (audited as a read of the record and as a
-- change). A letter or message makes a pending communication for the sending pipeline; an
-- action that ends the chase closes the child on every worklist they are open on.
-- Answers {id, communicationId, channel, closed}.
CREATE FUNCTION api.child_action_record(p_person_id bigint, p_worklist_id bigint, p_booking_id bigint, p_kind text,
                                        p_call_outcome text, p_decline_reason text, p_note text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_action bigint;
  v_channel text;
  v_comm bigint;
  v_closed integer := 0;
  v_series text[];
  d record;
BEGIN
  PERFORM ims.refuse_unless_child_health();
  IF NOT ims.audited_read(p_person_id, 'child health action') THEN
    PERFORM ims.refuse_unknown_person();
  END IF;
  IF p_worklist_id IS NOT NULL THEN
    PERFORM ims.worklist_for(p_worklist_id);
    IF NOT EXISTS (SELECT 1 FROM ims.worklist_member m WHERE m.worklist_id = p_worklist_id AND m.person_id = p_person_id) THEN
      PERFORM ims.refuse_bad_request('This child is not on that worklist.');
    END IF;
  END IF;
  IF p_booking_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ims.booking b WHERE b.id = p_booking_id AND b.person_id = p_person_id) THEN
    PERFORM ims.refuse_bad_request('That booking is not this child''s.');
  END IF;
  IF p_kind IS NULL OR p_kind NOT IN ('SEND_LETTER', 'SEND_MESSAGE', 'CALL', 'DECLINE', 'CONTRAINDICATED', 'MOVED_AWAY',
                                      'NOT_KNOWN_AT_ADDRESS', 'REFER_GP') THEN
    PERFORM ims.refuse_bad_request('Not a kind of child health action.');
  END IF;
  IF (p_kind = 'CALL') <> (p_call_outcome IS NOT NULL) THEN
    PERFORM ims.refuse_bad_request('A call, and only a call, has an outcome.');
  END IF;
  IF (p_kind = 'DECLINE') <> (p_decline_reason IS NOT NULL) THEN
    PERFORM ims.refuse_bad_request('A decline, and only a decline, has a reason.');
  END IF;
  IF (p_kind IN ('CONTRAINDICATED', 'REFER_GP') OR p_decline_reason = 'OTHER') AND length(btrim(coalesce(p_note, ''))) = 0 THEN
    PERFORM ims.refuse_bad_request('Say why in the note.');
  END IF;
  SELECT c.owed INTO v_series FROM ims.child_status c WHERE c.person_id = p_person_id;
  IF p_kind IN ('SEND_LETTER', 'SEND_MESSAGE') THEN
    SELECT d0.*, p.postcode INTO d FROM ims.person p LEFT JOIN ims.contact_details d0 ON d0.person_id = p.id WHERE p.id = p_person_id;
    v_channel := ims.campaign_channel(CASE p_kind WHEN 'SEND_LETTER' THEN ARRAY['LETTER'] ELSE ARRAY['SMS', 'EMAIL'] END,
                                      d.preferred_channel, d.mobile, d.email,
                                      CASE WHEN d.address_unreliable_since IS NULL THEN d.address_line1 END,
                                      d.postcode, d.opt_out_letter, d.opt_out_email, d.opt_out_sms);
    IF v_channel IS NULL THEN
      PERFORM ims.refuse_bad_request(CASE p_kind WHEN 'SEND_LETTER'
        THEN 'This child has no usable postal address (none recorded, known to be unreliable, or opted out of letters).'
        ELSE 'This child''s family has no usable mobile number or email address (none recorded, or opted out).' END);
    END IF;
  END IF;
  INSERT INTO ims.child_action (person_id, worklist_id, booking_id, kind, call_outcome, decline_reason, note, series)
  VALUES (p_person_id, p_worklist_id, p_booking_id, p_kind, p_call_outcome, p_decline_reason, nullif(btrim(p_note), ''), coalesce(v_series, '{}'))
  RETURNING id INTO v_action;
  IF v_channel IS NOT NULL THEN
    INSERT INTO ims.communication (person_id, campaign_id, child_action_id, purpose, channel)
    VALUES (p_person_id, NULL, v_action, 'CHILD_OVERDUE', v_channel)
    RETURNING id INTO v_comm;
    UPDATE ims.child_action SET communication_id = v_comm WHERE id = v_action;
  END IF;
  IF p_kind IN ('DECLINE', 'CONTRAINDICATED', 'MOVED_AWAY', 'NOT_KNOWN_AT_ADDRESS') THEN
    UPDATE ims.worklist_member m SET closed_action_id = v_action, closed_kind = p_kind
    WHERE m.person_id = p_person_id AND m.closed_action_id IS NULL;
    GET DIAGNOSTICS v_closed = ROW_COUNT;
  END IF;
  RETURN jsonb_build_object('id', v_action, 'communicationId', v_comm, 'channel', v_channel, 'closedOn', v_closed);
END
$$;

-- A child's actions, newest first, for their record page (audited as a read of the record).
CREATE FUNCTION api.person_child_actions(p_person_id bigint, p_purpose text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.may_read_people() OR NOT ims.audited_read(p_person_id, p_purpose) THEN
    RETURN NULL;
  END IF;
  RETURN coalesce((
    SELECT jsonb_agg(jsonb_build_object('id', a.id, 'kind', a.kind, 'callOutcome', a.call_outcome, 'declineReason', a.decline_reason,
                                        'note', a.note, 'series', a.series, 'worklistId', a.worklist_id, 'worklistName', w.name,
                                        'bookingId', a.booking_id, 'communicationId', a.communication_id, 'channel', m.channel,
                                        'communicationStatus', m.status, 'recordedBy', a.recorded_by, 'recordedAt', a.recorded_at)
                     ORDER BY a.recorded_at DESC, a.id DESC)
    FROM ims.child_action a
    LEFT JOIN ims.worklist w ON w.id = a.worklist_id
    LEFT JOIN ims.communication m ON m.id = a.communication_id
    WHERE a.person_id = p_person_id), '[]');
END
$$;

-- ---------------------------------------------------------------------------------------
-- Did-not-attend follow-up

-- Children in scope who missed a booked appointment and have not been booked again or seen
-- since, newest first after the cursor [booked_for, booking id], with what has been done since:
-- the missed-appointment communication, calls and their last outcome, whether a GP referral or
-- an action ending the chase was recorded. The next action is decided from these by the
-- application (worklists.rules.ts). Each child's read audited.
CREATE FUNCTION api.did_not_attend_page(p_after jsonb, p_limit integer, p_today date) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
  v_ad date;
  v_ai bigint;
  v_rows jsonb;
BEGIN
  PERFORM ims.refuse_unless_child_health();
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 500 THEN
    PERFORM ims.refuse_bad_request('A page holds 1 to 500 children.');
  END IF;
  IF p_after IS NOT NULL THEN
    BEGIN
      IF jsonb_typeof(p_after) <> 'array' OR jsonb_array_length(p_after) <> 2 THEN
        RAISE invalid_text_representation;
      END IF;
      v_ad := (p_after ->> 0)::date;
      v_ai := (p_after ->> 1)::bigint;
    EXCEPTION WHEN invalid_text_representation OR invalid_datetime_format OR datetime_field_overflow OR numeric_value_out_of_range THEN
      PERFORM ims.refuse_bad_request('The page cursor is not one this list gave.');
    END;
  END IF;
  WITH missed AS MATERIALIZED (
    SELECT b.id, b.person_id, b.booked_for, b.campaign_id
    FROM ims.booking b
    JOIN ims.child_status c ON c.person_id = b.person_id
    WHERE b.status = 'DID_NOT_ATTEND' AND b.booked_for <= p_today
      AND c.dob > (p_today - interval '20 years')::date
      AND (p_after IS NULL OR (b.booked_for, b.id) < (v_ad, v_ai))
      AND (v_all OR c.practice IN (SELECT unnest(v_practices)) OR c.la IN (SELECT unnest(v_las)))
      AND NOT EXISTS (SELECT 1 FROM ims.booking n WHERE n.person_id = b.person_id AND n.status IN ('BOOKED', 'ATTENDED')
                        AND (n.booked_for, n.id) > (b.booked_for, b.id))
      AND NOT EXISTS (SELECT 1 FROM ims.child_action a WHERE a.person_id = b.person_id
                        AND a.kind IN ('DECLINE', 'CONTRAINDICATED', 'MOVED_AWAY', 'NOT_KNOWN_AT_ADDRESS') AND a.recorded_at::date >= b.booked_for)
    ORDER BY b.booked_for DESC, b.id DESC
    LIMIT p_limit)
  SELECT jsonb_agg(ims.child_row_json(x.person_id, p_today) || jsonb_build_object(
           'bookingId', x.id, 'missedOn', x.booked_for, 'campaignName', k.name,
           'daysSinceMissed', p_today - x.booked_for,
           'followUpStatus', (SELECT m.status FROM ims.communication m WHERE m.booking_id = x.id AND m.purpose = 'DID_NOT_ATTEND'
                              ORDER BY m.id DESC LIMIT 1),
           'lettersSince', (SELECT count(*) FROM ims.child_action a WHERE a.person_id = x.person_id AND a.kind IN ('SEND_LETTER', 'SEND_MESSAGE')
                              AND a.recorded_at::date >= x.booked_for),
           'callsSince', (SELECT count(*) FROM ims.child_action a WHERE a.person_id = x.person_id AND a.kind = 'CALL' AND a.recorded_at::date >= x.booked_for),
           'lastCallOutcome', (SELECT a.call_outcome FROM ims.child_action a WHERE a.person_id = x.person_id AND a.kind = 'CALL'
                                 AND a.recorded_at::date >= x.booked_for ORDER BY a.recorded_at DESC, a.id DESC LIMIT 1),
           'referredToGp', EXISTS (SELECT 1 FROM ims.child_action a WHERE a.person_id = x.person_id AND a.kind = 'REFER_GP'
                                     AND a.recorded_at::date >= x.booked_for))
         ORDER BY x.booked_for DESC, x.id DESC)
    INTO v_rows
  FROM missed x JOIN ims.campaign k ON k.id = x.campaign_id;
  PERFORM ims.audit_child_reads(ARRAY(SELECT (r ->> 'personId')::bigint FROM jsonb_array_elements(coalesce(v_rows, '[]')) r), 'did not attend follow-up');
  RETURN jsonb_build_object('rows', coalesce(v_rows, '[]'),
    'next', CASE WHEN jsonb_array_length(coalesce(v_rows, '[]')) = p_limit
                 THEN jsonb_build_array(v_rows -> -1 ->> 'missedOn', (v_rows -> -1 ->> 'bookingId')::bigint) END);
END
$$;

-- ---------------------------------------------------------------------------------------
-- Who may call what. Child health staff and administrators; reading a child's actions on their
-- record goes with reading the record (every group that reads people).

REVOKE EXECUTE ON FUNCTION api.child_register_page(jsonb, text, boolean, jsonb, integer, date), api.child_register_counts(jsonb, date),
  api.child_register_export(jsonb, text, date, integer), api.worklist_create(text, jsonb, text, text, date), api.worklist_assign(bigint, text),
  api.worklists(), api.worklist_open(bigint, text, jsonb, integer, date), api.worklist_assignees(),
  api.child_action_record(bigint, bigint, bigint, text, text, text, text), api.person_child_actions(bigint, text),
  api.did_not_attend_page(jsonb, integer, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.child_register_page(jsonb, text, boolean, jsonb, integer, date), api.child_register_counts(jsonb, date),
  api.child_register_export(jsonb, text, date, integer), api.worklist_create(text, jsonb, text, text, date), api.worklist_assign(bigint, text),
  api.worklists(), api.worklist_open(bigint, text, jsonb, integer, date), api.worklist_assignees(),
  api.child_action_record(bigint, bigint, bigint, text, text, text, text), api.did_not_attend_page(jsonb, integer, date)
  TO ims_child_health, ims_administrator;
GRANT EXECUTE ON FUNCTION api.person_child_actions(bigint, text) TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;

-- The rows for everyone already on the register.
SELECT ims.child_status_rebuild(NULL);
