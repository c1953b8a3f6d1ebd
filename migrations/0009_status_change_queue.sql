-- The database notes whose schedule status needs recomputing. Until now the application kept
-- its own lists of the writes that change a person's status; an import or a new writer that
-- was not on a list left worklists wrong until the nightly refresh. Now statement-level
-- triggers on every table the forecast engine reads put the person's id in a queue, whoever
-- writes (an application user under row-level security, or the owner loading a feed), and
-- the application drains the queue after each call and in a background job.
--
-- What the engine reads for a person (main-api/forecast/forecast.repository.ts and the
-- population refresh's COPY): the person's date of birth, date of death and gender; their
-- vaccination events, clinical flags and staff records; each product's antigens; and each
-- programme's kind (for a dose declined without a product). If it starts reading something
-- else, note that table here too, in a new migration.

CREATE TABLE ims.series_status_stale (
  -- No foreign key: a deleted person is noted too, so that their status rows are removed.
  person_id         bigint PRIMARY KEY,
  noted_at          timestamptz NOT NULL DEFAULT now(),
  -- The (top-level) transaction that last noted the person: a population refresh clears the
  -- entries whose transaction its snapshot saw, and no others.
  noted_by          xid8 NOT NULL DEFAULT pg_current_xact_id(),
  -- Recomputed while a population refresh was running: the result went to the partition that
  -- the refresh replaces, so the entry stays for the refresh's catch-up.
  kept_for_catch_up boolean NOT NULL DEFAULT false
);
-- A drain after a call takes the newest entries first: what the caller has just changed.
CREATE INDEX series_status_stale_noted_idx ON ims.series_status_stale (noted_at);
-- Only the triggers and the functions below touch the queue. Row-level security without a
-- policy hides it from anyone who is ever granted access by mistake; the owner is exempt.
REVOKE ALL ON ims.series_status_stale FROM PUBLIC;
ALTER TABLE ims.series_status_stale ENABLE ROW LEVEL SECURITY;

-- A population refresh publishes its snapshot here while it runs (at most one row).
CREATE TABLE ims.series_status_refresh_hold (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  snapshot pg_snapshot NOT NULL
);
REVOKE ALL ON ims.series_status_refresh_hold FROM PUBLIC;
ALTER TABLE ims.series_status_refresh_hold ENABLE ROW LEVEL SECURITY;

-- Notes persons as stale. A person already noted by another transaction is noted again (the
-- upsert locks their entry until this transaction ends, so a drain cannot take the entry and
-- read the person before this change is visible). Entries this transaction has already
-- noted are skipped: a bulk load touches each person once per table, not once per row.
CREATE FUNCTION ims.series_status_note(p_person_ids bigint[]) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
  WITH me AS (SELECT pg_current_xact_id() AS xid)
  INSERT INTO ims.series_status_stale AS q (person_id, noted_at, noted_by, kept_for_catch_up)
  SELECT DISTINCT c.id, now(), me.xid, false
  FROM unnest(p_person_ids) AS c(id), me
  WHERE c.id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM ims.series_status_stale s WHERE s.person_id = c.id AND s.noted_by = me.xid)
  ON CONFLICT (person_id) DO UPDATE
    SET noted_at = excluded.noted_at, noted_by = excluded.noted_by, kept_for_catch_up = false
$$;

-- The trigger functions run as the owner, so every writer can note persons without any
-- right on the queue itself.

-- Tables whose rows belong to a person (person_id): events, flags, staff records.
CREATE FUNCTION ims.series_status_note_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM ims.series_status_note(ARRAY(SELECT DISTINCT person_id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM ims.series_status_note(ARRAY(SELECT DISTINCT person_id FROM old_rows));
  ELSE
    -- A row moved to another person changes both.
    PERFORM ims.series_status_note(ARRAY(SELECT person_id FROM new_rows UNION SELECT person_id FROM old_rows));
  END IF;
  RETURN NULL;
END
$$;

-- The person row: new and removed persons, and changes to what the engine reads. Other
-- columns (addresses, names) change often in feeds and do not affect the schedule.
CREATE FUNCTION ims.series_status_note_person() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM ims.series_status_note(ARRAY(SELECT id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM ims.series_status_note(ARRAY(SELECT id FROM old_rows));
  ELSE
    PERFORM ims.series_status_note(ARRAY(
      SELECT coalesce(n.id, o.id)
      FROM new_rows n FULL JOIN old_rows o ON o.id = n.id
      WHERE n.id IS NULL OR o.id IS NULL
         OR (n.date_of_birth, n.date_of_death, n.gender_code) IS DISTINCT FROM (o.date_of_birth, o.date_of_death, o.gender_code)));
  END IF;
  RETURN NULL;
END
$$;

-- A product's antigens: everyone with an event for the product.
CREATE FUNCTION ims.series_status_note_product() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_codes text[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    v_codes := ARRAY(SELECT DISTINCT product_code FROM new_rows);
  ELSIF TG_OP = 'DELETE' THEN
    v_codes := ARRAY(SELECT DISTINCT product_code FROM old_rows);
  ELSE
    v_codes := ARRAY(SELECT product_code FROM new_rows UNION SELECT product_code FROM old_rows);
  END IF;
  PERFORM ims.series_status_note(ARRAY(
    SELECT DISTINCT e.person_id FROM ims.vaccination_event e WHERE e.product_code = ANY (v_codes)));
  RETURN NULL;
END
$$;

-- A programme's kind: everyone with an event in the programme. Nothing else about a
-- programme reaches the engine (its dates and campaigns come from the rule files).
CREATE FUNCTION ims.series_status_note_programme() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.series_status_note(ARRAY(
    SELECT DISTINCT e.person_id FROM ims.vaccination_event e
    WHERE e.programme_code IN (SELECT n.code FROM new_rows n JOIN old_rows o ON o.code = n.code
                               WHERE n.kind IS DISTINCT FROM o.kind)));
  RETURN NULL;
END
$$;

-- TRUNCATE has no transition table: everyone who might have had a row is noted.
CREATE FUNCTION ims.series_status_note_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'product_antigen' THEN
    PERFORM ims.series_status_note(ARRAY(SELECT DISTINCT person_id FROM ims.vaccination_event WHERE product_code IS NOT NULL));
  ELSE
    PERFORM ims.series_status_note(ARRAY(SELECT id FROM ims.person));
  END IF;
  RETURN NULL;
END
$$;

-- One trigger per event: PostgreSQL allows transition tables only on single-event triggers.
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN
    SELECT * FROM (VALUES
      ('ims.vaccination_event', 'ims.series_status_note_rows()'),
      ('ims.clinical_flag', 'ims.series_status_note_rows()'),
      ('ims.staff_record', 'ims.series_status_note_rows()'),
      ('ims.person', 'ims.series_status_note_person()'),
      ('ims.product_antigen', 'ims.series_status_note_product()')
    ) AS v(table_name, fn)
  LOOP
    EXECUTE format('CREATE TRIGGER series_status_stale_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION %s', t.table_name, t.fn);
    EXECUTE format('CREATE TRIGGER series_status_stale_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION %s', t.table_name, t.fn);
    EXECUTE format('CREATE TRIGGER series_status_stale_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION %s', t.table_name, t.fn);
  END LOOP;
END
$$;
-- Programmes are only ever updated in a way that matters: a new one has no events yet, and
-- one with events cannot be deleted (the events refer to it).
CREATE TRIGGER series_status_stale_update AFTER UPDATE ON ims.programme REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ims.series_status_note_programme();
CREATE TRIGGER series_status_stale_truncate AFTER TRUNCATE ON ims.clinical_flag
  FOR EACH STATEMENT EXECUTE FUNCTION ims.series_status_note_truncate();
CREATE TRIGGER series_status_stale_truncate AFTER TRUNCATE ON ims.staff_record
  FOR EACH STATEMENT EXECUTE FUNCTION ims.series_status_note_truncate();
CREATE TRIGGER series_status_stale_truncate AFTER TRUNCATE ON ims.product_antigen
  FOR EACH STATEMENT EXECUTE FUNCTION ims.series_status_note_truncate();

-- ---------------------------------------------------------------------------------------
-- Draining. A drain claims a batch of persons, recomputes them with the engine and writes
-- their status in the same transaction, so a failed drain leaves its claims queued.
--
-- Who may drain what: whoever could recompute it. An application user's connection sees only
-- the persons in their scope, so they claim only those persons and leave the rest queued for
-- someone who can see them (an administrator's session, or the owner's population refresh,
-- which drains everything left once it has finished). The scope test is the person policy of 0002_security.sql, evaluated once per
-- call: this function runs as the owner, to whom row-level security does not apply. Users
-- who cannot write status rows (analysts) claim nothing. The owner and maintenance roles
-- claim anyone, including persons since deleted.
--
-- While a population refresh runs (it holds the drain lock exclusively), what a drain writes
-- goes to the partition the refresh is about to replace. Drains then recompute only persons
-- changed after the refresh's snapshot (so that users still see their changes at once), and
-- keep the entries for the refresh's catch-up instead of deleting them.
CREATE FUNCTION ims.series_status_claim(p_limit integer, p_newest_first boolean, p_after bigint DEFAULT 0)
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
      'WITH kept AS (UPDATE ims.series_status_stale u SET kept_for_catch_up = true
                     WHERE u.person_id IN (%s) RETURNING u.person_id)
       SELECT person_id FROM kept', v_pick)
      USING v_user, v_all, v_practices, v_las, p_limit, p_after, v_snapshot;
  ELSE
    RETURN QUERY EXECUTE format(
      'WITH claimed AS (DELETE FROM ims.series_status_stale d WHERE d.person_id IN (%s) RETURNING d.person_id)
       SELECT person_id FROM claimed', v_pick)
      USING v_user, v_all, v_practices, v_las, p_limit, p_after, v_snapshot;
  END IF;
END
$$;

-- The population refresh (run by the owner) holds drains while it builds from its snapshot,
-- and lets them go once it has cleared the entries that snapshot covered.
CREATE FUNCTION ims.series_status_hold_drains() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  -- Waits for drains in progress to commit, so none can finish after the snapshot is taken;
  -- a drain's batch takes well under a second, so a long wait means something is stuck.
  PERFORM set_config('lock_timeout', '2min', true);
  PERFORM pg_advisory_lock(4716005);
  DELETE FROM ims.series_status_refresh_hold;
END
$$;

CREATE FUNCTION ims.series_status_release_drains() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM ims.series_status_refresh_hold;
  PERFORM pg_advisory_unlock(4716005);
END
$$;

-- Functions are executable by PUBLIC unless revoked. Only claiming is for application users.
REVOKE EXECUTE ON FUNCTION ims.series_status_note(bigint[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ims.series_status_note_rows() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ims.series_status_note_person() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ims.series_status_note_product() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ims.series_status_note_programme() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ims.series_status_note_truncate() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ims.series_status_claim(integer, boolean, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ims.series_status_hold_drains() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ims.series_status_release_drains() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ims.series_status_claim(integer, boolean, bigint)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;

