-- Rule files imported by administrators: a campaign or schedule file added or replaced without a
-- software release. The engine's rule set on a day is the shipped files (resources/schedule)
-- with each replaced or joined by the active imported version in force that day
-- (main-api/schedule/rule-set.ts decides which; this table only keeps the versions).
--
-- Reference data, not person-linked: a rule file says who is eligible for what, about nobody in
-- particular. So, like the vaccine products, the clinical groups and administrators read the
-- table directly (every user's status drain and forecast reads the versions in force) under the
-- registered-user policy, and no group may write it: imports, activations and withdrawals go
-- through the api functions below, for administrators only, and the change log records each of
-- them (audit.attach).

CREATE TABLE ims.rule_file_version (
  version        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind           text NOT NULL CHECK (kind IN ('schedule', 'campaign', 'catch-up')),
  rule_id        text NOT NULL CHECK (rule_id ~ '^[A-Za-z0-9_-]{1,100}$'),
  rule_version   text NOT NULL CHECK (length(rule_version) BETWEEN 1 AND 100),
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
  -- The file exactly as imported (its checksum is of these characters), and its name if known.
  content        text NOT NULL CHECK (length(content) BETWEEN 2 AND 1000000),
  checksum       text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
  file_name      text CHECK (length(file_name) <= 200),
  effective_from date NOT NULL,
  status         text NOT NULL DEFAULT 'previewed' CHECK (status IN ('previewed', 'active', 'superseded', 'withdrawn')),
  imported_by    text NOT NULL DEFAULT session_user,
  imported_at    timestamptz NOT NULL DEFAULT now(),
  activated_by   text,
  activated_at   timestamptz,
  withdrawn_by   text,
  withdrawn_at   timestamptz,
  superseded_by  bigint REFERENCES ims.rule_file_version (version),
  -- Whom the file can change (computed by the engine's rule-set.ts from the file): anyone with a
  -- status row for one of these ids, plus everyone or those born in the range. Used to queue
  -- recomputation when the version comes into force or is withdrawn.
  reach_ids      text[] NOT NULL DEFAULT '{}',
  reach_everyone boolean NOT NULL DEFAULT false,
  reach_born_from date,
  reach_born_to  date,
  -- The day the people it reaches were queued for recomputation under it (null: not yet).
  queued_on      date,
  CHECK (reach_born_from IS NULL OR reach_born_to IS NULL OR reach_born_from <= reach_born_to),
  CHECK (cardinality(reach_ids) <= 500)
);
-- One live version per file text: importing the same file again finds it.
CREATE UNIQUE INDEX rule_file_version_checksum_key ON ims.rule_file_version (checksum) WHERE status <> 'withdrawn';
CREATE INDEX rule_file_version_active_idx ON ims.rule_file_version (effective_from) WHERE status = 'active';

REVOKE ALL ON ims.rule_file_version FROM PUBLIC;
-- Not analysts: they work out no one's status, and read aggregates only (0026).
GRANT SELECT ON ims.rule_file_version TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;
ALTER TABLE ims.rule_file_version ENABLE ROW LEVEL SECURITY;
CREATE POLICY registered_user ON ims.rule_file_version USING ((SELECT ims.is_registered_user()));
SELECT audit.attach('ims.rule_file_version');

-- Administrators of this database, and the owner and maintenance roles (the command line).
CREATE FUNCTION ims.may_manage_rules() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT NOT ims.is_application_user() OR ims.is_admin()
$$;
REVOKE EXECUTE ON FUNCTION ims.may_manage_rules() FROM PUBLIC;

CREATE FUNCTION ims.require_rule_manager() RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.may_manage_rules() THEN
    RAISE EXCEPTION 'Only an administrator of this database may import, activate or withdraw rule files.'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.require_rule_manager() FROM PUBLIC;

-- The persons a version can change (see the reach columns). Runs as the owner: no scope, since
-- its only uses are queuing recomputation and the administrator's preview.
CREATE FUNCTION ims.rule_file_reach(p_ids text[], p_everyone boolean, p_born_from date, p_born_to date)
RETURNS TABLE (person_id bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_everyone THEN
    -- Everyone already includes whoever has a status row: one pass over the register.
    RETURN QUERY SELECT p.id FROM ims.person p;
    RETURN;
  END IF;
  RETURN QUERY
  SELECT p.id FROM ims.person p
  WHERE (p_born_from IS NOT NULL OR p_born_to IS NOT NULL)
    AND p.date_of_birth >= coalesce(p_born_from, '-infinity'::date)
    AND p.date_of_birth <= coalesce(p_born_to, 'infinity'::date)
  UNION
  SELECT s.person_id FROM ims.series_status s WHERE s.series_id = ANY (coalesce(p_ids, '{}'));
END
$$;
REVOKE EXECUTE ON FUNCTION ims.rule_file_reach(text[], boolean, date, date) FROM PUBLIC;

-- Queues the persons a version reaches for recomputation (the status drain picks them up; a
-- queue this long makes the host run the population refresh instead) and notes the day.
CREATE FUNCTION ims.rule_file_queue(p_version bigint, p_day date) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v ims.rule_file_version;
  v_ids bigint[];
BEGIN
  SELECT * INTO v FROM ims.rule_file_version WHERE version = p_version;
  v_ids := ARRAY(SELECT r.person_id FROM ims.rule_file_reach(v.reach_ids, v.reach_everyone, v.reach_born_from, v.reach_born_to) r);
  PERFORM ims.series_status_note(v_ids);
  UPDATE ims.rule_file_version SET queued_on = p_day WHERE version = p_version;
  RETURN cardinality(v_ids);
END
$$;
REVOKE EXECUTE ON FUNCTION ims.rule_file_queue(bigint, date) FROM PUBLIC;

-- Stores a checked rule file as a previewed version, or finds the live version with the same
-- text (re-importing a file is idempotent; a previewed one takes the new effective date). The
-- application checks the file with the engine and computes its reach; here the kind, id, version
-- and name are read from the text itself, the checksum computed, and the rest checked again.
CREATE FUNCTION api.rule_file_import(p_content text, p_file_name text, p_effective_from date, p_reach_ids text[],
                                     p_reach_everyone boolean, p_reach_born_from date, p_reach_born_to date)
RETURNS TABLE (version bigint, created boolean, status text, effective_from date)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_json jsonb;
  v_checksum text;
  v_existing ims.rule_file_version;
BEGIN
  PERFORM ims.require_rule_manager();
  IF p_content IS NULL OR length(p_content) NOT BETWEEN 2 AND 1000000 THEN
    RAISE EXCEPTION 'A rule file of 2 to 1,000,000 characters is required.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  BEGIN
    v_json := p_content::jsonb;
  EXCEPTION WHEN others THEN
    RAISE EXCEPTION 'The rule file is not valid JSON.' USING ERRCODE = 'invalid_parameter_value';
  END;
  IF jsonb_typeof(v_json) <> 'object' OR coalesce(v_json ->> 'kind', '') NOT IN ('schedule', 'campaign', 'catch-up')
     OR jsonb_typeof(v_json -> 'id') <> 'string' OR jsonb_typeof(v_json -> 'version') <> 'string' OR jsonb_typeof(v_json -> 'name') <> 'string' THEN
    RAISE EXCEPTION 'A rule file is an object with kind (schedule, campaign or catch-up), id, version and name.'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_effective_from IS NULL OR p_effective_from NOT BETWEEN DATE '2000-01-01' AND DATE '2100-12-31'
     OR p_reach_everyone IS NULL OR p_reach_ids IS NULL OR array_position(p_reach_ids, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'An effective date between 2000 and 2100 and the file''s reach are required.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_checksum := encode(sha256(convert_to(p_content, 'UTF8')), 'hex');
  SELECT * INTO v_existing FROM ims.rule_file_version r WHERE r.checksum = v_checksum AND r.status <> 'withdrawn' FOR UPDATE;
  IF FOUND THEN
    IF v_existing.status = 'previewed' AND v_existing.effective_from <> p_effective_from THEN
      UPDATE ims.rule_file_version r SET effective_from = p_effective_from WHERE r.version = v_existing.version;
      v_existing.effective_from := p_effective_from;
    END IF;
    RETURN QUERY SELECT v_existing.version, false, v_existing.status, v_existing.effective_from;
    RETURN;
  END IF;
  RETURN QUERY
  INSERT INTO ims.rule_file_version AS r (kind, rule_id, rule_version, name, content, checksum, file_name, effective_from,
                                          reach_ids, reach_everyone, reach_born_from, reach_born_to)
  VALUES (v_json ->> 'kind', v_json ->> 'id', v_json ->> 'version', v_json ->> 'name', p_content, v_checksum,
          nullif(btrim(p_file_name), ''), p_effective_from, p_reach_ids, p_reach_everyone, p_reach_born_from, p_reach_born_to)
  RETURNING r.version, true, r.status, r.effective_from;
END
$$;

-- What activating or withdrawing a version starts with: the caller may manage rules, a day is
-- given, and the version is read under the table's lock. One change at a time, so two cannot
-- each supersede the other; only the owner (inside these functions) can take the lock, and the
-- wait is bounded.
CREATE FUNCTION ims.rule_file_version_for_change(p_version bigint, p_today date) RETURNS ims.rule_file_version
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v ims.rule_file_version;
BEGIN
  PERFORM ims.require_rule_manager();
  IF p_today IS NULL THEN
    RAISE EXCEPTION 'Today''s date is required.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SET LOCAL lock_timeout = '5s';
  LOCK TABLE ims.rule_file_version IN SHARE ROW EXCLUSIVE MODE;
  SELECT * INTO v FROM ims.rule_file_version r WHERE r.version = p_version;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'There is no rule file version %.', p_version USING ERRCODE = 'no_data_found';
  END IF;
  RETURN v;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.rule_file_version_for_change(bigint, date) FROM PUBLIC;

-- Activates a previewed version from its effective date. Versions of the same file it replaces
-- (same kind and id; for schedules and catch-up plans the same version too) that it overtakes
-- by p_today become superseded; one it overtakes only later stays active until then, and the
-- engine chooses by date. If it is in force by p_today, the persons it reaches are queued now;
-- otherwise api.rule_files_queue_due queues them once the day comes.
CREATE FUNCTION api.rule_file_activate(p_version bigint, p_today date)
RETURNS TABLE (version bigint, status text, effective_from date, queued bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v ims.rule_file_version;
  v_queued bigint := 0;
BEGIN
  v := ims.rule_file_version_for_change(p_version, p_today);
  IF v.status <> 'previewed' THEN
    RAISE EXCEPTION 'Rule file version % is %; only a previewed version can be activated.', p_version, v.status
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  UPDATE ims.rule_file_version r SET status = 'active', activated_by = session_user, activated_at = now()
  WHERE r.version = p_version;
  PERFORM ims.rule_file_supersede(p_today);
  IF v.effective_from <= p_today THEN
    v_queued := ims.rule_file_queue(p_version, p_today);
  END IF;
  RETURN QUERY SELECT r.version, r.status, r.effective_from, v_queued FROM ims.rule_file_version r WHERE r.version = p_version;
END
$$;

-- Marks superseded every active version overtaken by p_today by a later active one of the same
-- file: the engine would never choose it again.
CREATE FUNCTION ims.rule_file_supersede(p_today date) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  WITH ranked AS (
    SELECT r.version,
           first_value(r.version) OVER (
             PARTITION BY r.kind, r.rule_id, CASE WHEN r.kind = 'campaign' THEN '' ELSE r.rule_version END
             ORDER BY r.effective_from DESC, r.version DESC) AS winner
    FROM ims.rule_file_version r
    WHERE r.status = 'active' AND r.effective_from <= p_today
  )
  UPDATE ims.rule_file_version r SET status = 'superseded', superseded_by = k.winner
  FROM ranked k WHERE r.version = k.version AND k.winner <> k.version
$$;
REVOKE EXECUTE ON FUNCTION ims.rule_file_supersede(date) FROM PUBLIC;

-- Withdraws a previewed or active version. A version it had superseded becomes active again;
-- if it was in force, the persons it reached are queued to be recomputed without it.
CREATE FUNCTION api.rule_file_withdraw(p_version bigint, p_today date)
RETURNS TABLE (version bigint, status text, queued bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v ims.rule_file_version;
  v_queued bigint := 0;
BEGIN
  v := ims.rule_file_version_for_change(p_version, p_today);
  IF v.status NOT IN ('previewed', 'active') THEN
    RAISE EXCEPTION 'Rule file version % is %; only a previewed or active version can be withdrawn.', p_version, v.status
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  UPDATE ims.rule_file_version r SET status = 'withdrawn', withdrawn_by = session_user, withdrawn_at = now()
  WHERE r.version = p_version;
  UPDATE ims.rule_file_version r SET status = 'active', superseded_by = NULL
  WHERE r.superseded_by = p_version AND r.status = 'superseded';
  IF v.status = 'active' AND v.effective_from <= p_today THEN
    v_queued := ims.rule_file_queue(p_version, p_today);
  END IF;
  RETURN QUERY SELECT r.version, r.status, v_queued FROM ims.rule_file_version r WHERE r.version = p_version;
END
$$;

-- Queues the persons reached by active versions that have come into force since they were
-- activated (a version activated ahead of its date). Any application user's background job
-- calls it; the day is capped at England's date by the server's clock, so a client's wrong date
-- cannot mark a version queued before its day has come.
CREATE FUNCTION api.rule_files_queue_due(p_today date) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_day date := least(p_today, (now() AT TIME ZONE 'Europe/London')::date);
  v_version bigint;
  v_queued bigint := 0;
BEGIN
  IF ims.is_application_user() AND NOT ims.is_registered_user() THEN
    RETURN 0;
  END IF;
  IF v_day IS NULL THEN
    RETURN 0;
  END IF;
  -- Behind an activation or withdrawal at most briefly; the job tries again next time.
  SET LOCAL lock_timeout = '5s';
  FOR v_version IN
    SELECT r.version FROM ims.rule_file_version r
    WHERE r.status = 'active' AND r.effective_from <= v_day AND (r.queued_on IS NULL OR r.queued_on < r.effective_from)
    ORDER BY r.version
    FOR UPDATE SKIP LOCKED
  LOOP
    v_queued := v_queued + ims.rule_file_queue(v_version, v_day);
  END LOOP;
  PERFORM ims.rule_file_supersede(v_day);
  RETURN v_queued;
END
$$;

-- For the administrator's preview: how many persons the file can change, and a random sample of
-- at most p_limit of them to work out before and after. Persons' ids only; their records are
-- then read through ims.audited_read like any other read.
CREATE FUNCTION api.rule_file_preview_sample(p_reach_ids text[], p_reach_everyone boolean, p_reach_born_from date,
                                             p_reach_born_to date, p_limit integer)
RETURNS TABLE (reached bigint, person_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.require_rule_manager();
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 5000 OR p_reach_everyone IS NULL OR p_reach_ids IS NULL
     OR cardinality(p_reach_ids) > 500 THEN
    RAISE EXCEPTION 'Ask for 1 to 5,000 persons and the file''s reach.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY
  WITH reach AS MATERIALIZED (
    SELECT r.person_id FROM ims.rule_file_reach(p_reach_ids, p_reach_everyone, p_reach_born_from, p_reach_born_to) r
  ), sample AS (
    SELECT x.person_id FROM reach x ORDER BY random() LIMIT p_limit
  )
  SELECT (SELECT count(*) FROM reach), s.person_id FROM sample s ORDER BY s.person_id;
END
$$;

REVOKE EXECUTE ON FUNCTION api.rule_file_import(text, text, date, text[], boolean, date, date),
  api.rule_file_activate(bigint, date), api.rule_file_withdraw(bigint, date), api.rule_files_queue_due(date),
  api.rule_file_preview_sample(text[], boolean, date, date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.rule_file_import(text, text, date, text[], boolean, date, date),
  api.rule_file_activate(bigint, date), api.rule_file_withdraw(bigint, date),
  api.rule_file_preview_sample(text[], boolean, date, date, integer) TO ims_administrator;
GRANT EXECUTE ON FUNCTION api.rule_files_queue_due(date)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;
