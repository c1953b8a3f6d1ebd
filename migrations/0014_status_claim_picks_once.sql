-- Claiming from the status queue picks its batch exactly once. In 0009 the batch was picked
-- in an IN (...) subquery; after a large delete from the queue (a population refresh clearing
-- what it covered) the planner could run that subquery again for every queued row, locking a
-- little more of the queue each time: in the 2,000,000-person benchmark one catch-up claim ran
-- for many minutes at full CPU. A materialised pick cannot be re-run, whatever the statistics.

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
    IF NOT (has_table_privilege(session_user, 'ims.series_status', 'INSERT')
            AND has_table_privilege(session_user, 'ims.series_status', 'UPDATE')
            AND has_table_privilege(session_user, 'ims.series_status', 'DELETE')) THEN
      RETURN;
    END IF;
    v_all := ims.is_admin();
    v_practices := ims.scope_practices();
    v_las := ims.scope_local_authorities();
  END IF;

  v_keep := NOT pg_try_advisory_xact_lock_shared(4716005);
  IF v_keep THEN
    SELECT h.snapshot INTO v_snapshot FROM ims.series_status_refresh_hold h;
    IF NOT FOUND THEN
      RETURN; -- the refresh has not taken its snapshot yet; its catch-up will see to it
    END IF;
  END IF;

  -- Planned afresh each call, so that each order uses its index: the newest entries first
  -- (what the caller has just changed), or ascending ids after a cursor, which walks a long
  -- queue once instead of rescanning the entries that earlier batches removed.
  v_pick := format(
    'SELECT q.person_id FROM ims.series_status_stale q
     WHERE %s
       AND (NOT $1 OR EXISTS (SELECT 1 FROM ims.person p WHERE p.id = q.person_id
                              AND ($2 OR p.practice_code IN (SELECT unnest($3::text[])) OR p.la_code IN (SELECT unnest($4::text[])))))
     ORDER BY %s LIMIT $5 FOR UPDATE OF q SKIP LOCKED',
    CASE WHEN v_keep THEN 'NOT q.kept_for_catch_up AND NOT pg_visible_in_snapshot(q.noted_by, $7)' ELSE 'true' END
      || CASE WHEN p_newest_first THEN '' ELSE ' AND q.person_id > $6' END,
    CASE WHEN p_newest_first THEN 'q.noted_at DESC' ELSE 'q.person_id' END);

  IF v_keep THEN
    RETURN QUERY EXECUTE format(
      'WITH picked AS MATERIALIZED (%s),
            kept AS (UPDATE ims.series_status_stale u SET kept_for_catch_up = true
                     FROM picked WHERE u.person_id = picked.person_id RETURNING u.person_id)
       SELECT person_id FROM kept', v_pick)
      USING v_user, v_all, v_practices, v_las, p_limit, p_after, v_snapshot;
  ELSE
    RETURN QUERY EXECUTE format(
      'WITH picked AS MATERIALIZED (%s),
            claimed AS (DELETE FROM ims.series_status_stale d USING picked
                        WHERE d.person_id = picked.person_id RETURNING d.person_id)
       SELECT person_id FROM claimed', v_pick)
      USING v_user, v_all, v_practices, v_las, p_limit, p_after, v_snapshot;
  END IF;
END
$$;
