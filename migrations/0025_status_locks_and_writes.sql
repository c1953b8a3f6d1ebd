-- The schedule status machinery takes only locks that users cannot take, and users write
-- status rows only through an audited function (issue 7, findings 8 and 9).
--
-- Until now the status refresh, the drains and the per-person recomputation coordinated through
-- advisory locks, and any login role can take any advisory lock: a read-only analyst holding
-- the keys blocked other users' recording, the population refresh and the migrations for as
-- long as they liked. Now each of them locks a table or rows that only the schema owner can
-- lock, inside the owner's own transaction or a SECURITY DEFINER function; a user with no
-- privilege on a table can neither LOCK it nor lock its rows. Every wait has a timeout.
--
-- And the application groups could INSERT, UPDATE and DELETE schedule status rows (the
-- worklists) directly, with no audit. Now they hold no privilege on ims.series_status: the
-- drain writes the rows it worked out through api.write_schedule_status, for persons it has
-- claimed from the status queue in the same transaction, and each write is audited.

-- ---------------------------------------------------------------------------------------
-- Locks. Tables that exist only to be locked, by the owner.

-- One population refresh at a time: the refresh holds this in EXCLUSIVE mode (NOWAIT) for its
-- whole transaction.
CREATE TABLE ims.series_status_refresh_lock ();
-- Drains hold this in ROW SHARE mode (NOWAIT, inside the claim) until their transaction ends;
-- the population refresh takes it in EXCLUSIVE mode, so it waits for the drains in progress,
-- and drains that come later find it taken and keep their entries (see the claim below). A
-- lock table's queue is fair: once the refresh waits, later drains do not get ahead of it.
CREATE TABLE ims.series_status_drain_gate ();
REVOKE ALL ON ims.series_status_refresh_lock, ims.series_status_drain_gate FROM PUBLIC;

-- Which transaction claimed a queued person: the drain writes status only for persons it
-- claimed itself. The claim's row lock on the entry also keeps two recomputations of one
-- person apart (the entry is in an owner-only table, so only the claim can lock it).
ALTER TABLE ims.series_status_stale ADD COLUMN claimed_by xid8;

-- The published snapshot belongs to one refresh transaction; drains ignore it once that
-- transaction has ended (a refresh that was killed leaves its row behind, harmlessly).
ALTER TABLE ims.series_status_refresh_hold ADD COLUMN refresh_xid xid8;

-- The refresh takes and releases these locks itself now, in its own transaction.
DROP FUNCTION ims.series_status_hold_drains();
DROP FUNCTION ims.series_status_release_drains();

-- A write that notes a person waits for a drain that has claimed them to finish: drains take
-- under a second, so a long wait means a session holding its claim open. The timeout ends it.
ALTER FUNCTION ims.series_status_note(bigint[]) SET lock_timeout = '30s';

-- Claiming, as in 0014, except: who may write status is a question of role (the groups that
-- record vaccinations), not of table privileges, which users no longer have; claimed entries
-- are marked, not removed (the write removes them, so a claim that is never written leaves the
-- person queued); and the refresh is detected through the drain gate instead of an advisory
-- lock.
CREATE OR REPLACE FUNCTION ims.series_status_claim(p_limit integer, p_newest_first boolean, p_after bigint DEFAULT 0)
RETURNS SETOF bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_user      boolean := ims.is_application_user();
  v_all       boolean := true;
  v_practices text[] := '{}';
  v_las       text[] := '{}';
  v_snapshot  pg_snapshot;
  v_keep      boolean;
  v_pick      text;
BEGIN
  IF p_limit IS NULL OR p_limit < 1 OR p_limit > 10000 OR p_newest_first IS NULL OR p_after IS NULL THEN
    RAISE EXCEPTION 'Claim between 1 and 10000 persons at a time, in a given order.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- After most calls the queue is empty; answer that before working out the caller's scope.
  IF NOT EXISTS (SELECT 1 FROM ims.series_status_stale) THEN
    RETURN;
  END IF;
  IF v_user THEN
    -- Status rows are written by those who record vaccinations; analysts claim nothing.
    IF NOT ims.may_record_clinical() THEN
      RETURN;
    END IF;
    v_all := ims.is_admin();
    v_practices := ims.scope_practices();
    v_las := ims.scope_local_authorities();
  END IF;

  BEGIN
    LOCK TABLE ims.series_status_drain_gate IN ROW SHARE MODE NOWAIT;
    v_keep := false;
  EXCEPTION WHEN lock_not_available THEN
    v_keep := true; -- a population refresh holds drains
  END;
  IF v_keep THEN
    SELECT h.snapshot INTO v_snapshot FROM ims.series_status_refresh_hold h
    WHERE h.refresh_xid IS NOT NULL AND pg_xact_status(h.refresh_xid) = 'in progress';
    IF NOT FOUND THEN
      RETURN; -- the refresh has not taken its snapshot yet; its catch-up will see to it
    END IF;
  END IF;

  -- Entries this transaction has claimed already are not claimed twice. (The _if_assigned
  -- form: a claim that finds nothing should not use up a transaction id.)
  v_pick := format(
    'SELECT q.person_id FROM ims.series_status_stale q
     WHERE %s AND NOT coalesce(q.claimed_by = pg_current_xact_id_if_assigned(), false)
       AND (NOT $1 OR EXISTS (SELECT 1 FROM ims.person p WHERE p.id = q.person_id
                              AND ($2 OR p.practice_code IN (SELECT unnest($3::text[])) OR p.la_code IN (SELECT unnest($4::text[])))))
     ORDER BY %s LIMIT $5 FOR UPDATE OF q SKIP LOCKED',
    CASE WHEN v_keep THEN 'NOT q.kept_for_catch_up AND NOT pg_visible_in_snapshot(q.noted_by, $7)' ELSE 'true' END
      || CASE WHEN p_newest_first THEN '' ELSE ' AND q.person_id > $6' END,
    CASE WHEN p_newest_first THEN 'q.noted_at DESC' ELSE 'q.person_id' END);

  -- While a refresh runs, what a drain writes goes to the partition the refresh replaces, so
  -- the entry is kept for the refresh's catch-up; otherwise the write removes it (including an
  -- entry a refresh that was interrupted had kept).
  RETURN QUERY EXECUTE format(
    'WITH picked AS MATERIALIZED (%s),
          claimed AS (UPDATE ims.series_status_stale u
                      SET claimed_by = pg_current_xact_id(), kept_for_catch_up = $8
                      FROM picked WHERE u.person_id = picked.person_id RETURNING u.person_id)
     SELECT person_id FROM claimed', v_pick)
    USING v_user, v_all, v_practices, v_las, p_limit, p_after, v_snapshot, v_keep;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Writing status rows. The rows come from the forecast engine (TypeScript), so the database
-- cannot check them; it checks who writes them and for whom, and keeps a record of what was
-- written: one audit.change_log row per person per write, with the rows as written (the
-- person's audit trail then shows who set their worklist status, and to what). One call per
-- batch of persons, set-based.
CREATE FUNCTION api.write_schedule_status(p_person_ids bigint[], p_rows jsonb, p_computed_on date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET lock_timeout = '60s' AS $$
DECLARE
  v_user      boolean := ims.is_application_user();
  v_ids       bigint[] := ARRAY(SELECT DISTINCT i FROM unnest(p_person_ids) AS u(i) WHERE i IS NOT NULL);
  v_me        xid8 := pg_current_xact_id();
  v_practices text[];
  v_las       text[];
  v_rows      integer;
BEGIN
  IF p_person_ids IS NULL OR p_computed_on IS NULL OR jsonb_typeof(p_rows) IS DISTINCT FROM 'array'
     OR cardinality(v_ids) <> cardinality(p_person_ids) THEN
    RAISE EXCEPTION 'Give each person once, their status rows as a JSON array and the date they were worked out on.'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF v_user AND NOT ims.may_record_clinical() THEN
    RAISE EXCEPTION 'Your role may not update schedule statuses.' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF v_user AND NOT ims.is_admin() THEN
    v_practices := ims.scope_practices();
    v_las := ims.scope_local_authorities();
  END IF;
  -- Every person claimed by this transaction (the claim locks the entry until it ends), and
  -- for a scoped user still in scope; every row about one of those persons.
  IF (SELECT count(*) FROM ims.series_status_stale q WHERE q.person_id = ANY (v_ids) AND q.claimed_by = v_me) <> cardinality(v_ids)
     OR (v_practices IS NOT NULL AND EXISTS (
           SELECT 1 FROM unnest(v_ids) AS u(id)
           WHERE NOT EXISTS (SELECT 1 FROM ims.person p
                             WHERE p.id = u.id AND (p.practice_code = ANY (v_practices) OR p.la_code = ANY (v_las)))))
     OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_rows) AS r
                WHERE (r ->> 'person_id') IS NULL OR NOT ((r ->> 'person_id')::bigint = ANY (v_ids))) THEN
    RAISE EXCEPTION 'Schedule status can be written only for persons in your scope that this transaction claimed from the status queue.'
      USING ERRCODE = 'insufficient_privilege';
  END IF;

  DELETE FROM ims.series_status s WHERE s.person_id = ANY (v_ids);
  INSERT INTO ims.series_status
    (person_id, series_id, kind, series_name, status, next_dose, due_date, overdue_from, latest_date, computed_on, rules_version)
  SELECT x.person_id, x.series_id, x.kind, x.series_name, x.status, x.next_dose, x.due_date, x.overdue_from, x.latest_date,
         p_computed_on, x.rules_version
  FROM jsonb_to_recordset(p_rows) AS x(person_id bigint, series_id text, kind text, series_name text, status text,
                                       next_dose smallint, due_date date, overdue_from date, latest_date date, rules_version text);
  GET DIAGNOSTICS v_rows = ROW_COUNT;

  -- Done: the entries go, except those kept for a running refresh's catch-up.
  DELETE FROM ims.series_status_stale q WHERE q.person_id = ANY (v_ids) AND q.claimed_by = v_me AND NOT q.kept_for_catch_up;

  -- The owner and maintenance roles are outside the audit model (they own the tables).
  IF v_user THEN
    INSERT INTO audit.change_log (table_name, operation, person_id, new_row, note)
    SELECT 'ims.series_status', 'UPDATE', u.id, jsonb_build_object('computed_on', p_computed_on, 'rows', coalesce(g.rows, '[]'::jsonb)),
           'schedule status recomputed'
    FROM unnest(v_ids) AS u(id)
    LEFT JOIN (SELECT (r ->> 'person_id')::bigint AS id, jsonb_agg(r - 'person_id') AS rows
               FROM jsonb_array_elements(p_rows) AS r GROUP BY 1) g ON g.id = u.id;
  END IF;
  RETURN v_rows;
END
$$;

-- Who opened or printed a person's record, for the record screen: to whoever may see the
-- person. The audit table itself is no longer readable by any group.
CREATE FUNCTION api.person_recent_views(p_person_id bigint)
RETURNS TABLE (viewed_at timestamptz, actor text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.is_application_user() OR ims.person_in_scope(p_person_id) THEN
    RETURN QUERY SELECT v.at, v.actor FROM audit.record_view v
                 WHERE v.person_id = p_person_id AND v.purpose IN ('view', 'print')
                 ORDER BY v.at DESC, v.id DESC LIMIT 20;
  END IF;
END
$$;

REVOKE EXECUTE ON FUNCTION api.write_schedule_status(bigint[], jsonb, date), api.person_recent_views(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.write_schedule_status(bigint[], jsonb, date)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;
GRANT EXECUTE ON FUNCTION api.person_recent_views(bigint)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;

-- No direct access for any group: status rows through the functions above, record views
-- through api.person_recent_views (administrators keep the change log, 0002 and 0021).
REVOKE ALL ON ims.series_status FROM ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
REVOKE ALL ON audit.record_view FROM ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
