-- Security lives in the database: every person signs in as their own PostgreSQL role, group
-- roles grant privileges, row-level security limits persons to the user's organisations, and
-- triggers write the audit trail. The desktop client is not trusted to enforce any of it.
--
-- Roles are cluster-wide while this file runs once per database, so group roles are created
-- only when missing (and a concurrent creation in another database is tolerated).

DO $$
DECLARE
  g text;
BEGIN
  FOREACH g IN ARRAY ARRAY['ims_administrator', 'ims_coordinator', 'ims_child_health', 'ims_occupational_health', 'ims_analyst'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = g) THEN
      BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', g);
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- another database's migration created it at the same moment
      END;
    END IF;
  END LOOP;
END
$$;

-- Every group may reach the schemas and read the migration ledger (the client checks it is
-- up to date before use). Nothing is granted to PUBLIC.
GRANT USAGE ON SCHEMA ims TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
GRANT USAGE ON SCHEMA ims_meta TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
GRANT SELECT ON ims_meta.schema_migration TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;

-- Reference data: everyone reads, only administrators maintain it through the application
-- (bulk imports of geography run as the schema owner).
GRANT SELECT ON ims.organisation, ims.gp_practice, ims.local_authority, ims.lsoa, ims.postcode_sector,
  ims.postcode_lookup, ims.school, ims.ethnic_category, ims.flag_type
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
GRANT INSERT, UPDATE, DELETE ON ims.organisation, ims.gp_practice, ims.local_authority, ims.lsoa, ims.postcode_sector,
  ims.postcode_lookup, ims.school, ims.ethnic_category, ims.flag_type
  TO ims_administrator;

-- Users and their access scope. Written only by the owner (user administration connects as
-- the owner); each user may read their own rows, administrators all.
CREATE TABLE ims.app_user (
  role_name    text PRIMARY KEY,
  display_name text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  disabled_at  timestamptz
);

CREATE TABLE ims.user_scope (
  role_name text NOT NULL REFERENCES ims.app_user (role_name) ON DELETE CASCADE,
  org_code  text NOT NULL REFERENCES ims.organisation (code),
  PRIMARY KEY (role_name, org_code)
);

-- Membership is tested with USAGE (inherited privileges), not MEMBER: from PostgreSQL 16 a
-- non-superuser owner that created the groups holds an ADMIN-only grant on them, which must
-- not make it look like an application user.
CREATE FUNCTION ims.is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_catalog.pg_has_role(session_user, 'ims_administrator', 'USAGE')
$$;

-- True for people using the application (members of any ims_* group); false for the schema
-- owner and maintenance roles. Superusers are reported as not application users, because
-- pg_has_role treats them as members of every role.
CREATE FUNCTION ims.is_application_user() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false)
     AND EXISTS (
       SELECT 1 FROM pg_catalog.pg_roles g
       WHERE g.rolname IN ('ims_administrator', 'ims_coordinator', 'ims_child_health', 'ims_occupational_health', 'ims_analyst')
         AND pg_catalog.pg_has_role(session_user, g.oid, 'USAGE'))
$$;

-- Organisations in the user's scope and everything beneath them (GP -> PCN -> ICB -> REGION).
CREATE FUNCTION ims.scope_organisations() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  WITH RECURSIVE below AS (
    SELECT s.org_code AS code
    FROM ims.user_scope s JOIN ims.app_user u ON u.role_name = s.role_name
    WHERE s.role_name = session_user::text AND u.disabled_at IS NULL
    UNION
    SELECT o.code FROM ims.organisation o JOIN below b ON o.parent_code = b.code
  )
  SELECT coalesce(array_agg(code ORDER BY code), '{}') FROM below
$$;

-- GP practices whose own code or an ancestor's code is in scope.
CREATE FUNCTION ims.scope_practices() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(array_agg(p.code ORDER BY p.code), '{}')
  FROM ims.gp_practice p
  WHERE p.code = ANY (ims.scope_organisations())
$$;

-- Local authorities in scope by their own code or their ICB's or region's code.
CREATE FUNCTION ims.scope_local_authorities() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  WITH scope AS (
    SELECT s.org_code FROM ims.user_scope s JOIN ims.app_user u ON u.role_name = s.role_name
    WHERE s.role_name = session_user::text AND u.disabled_at IS NULL
  )
  SELECT coalesce(array_agg(la.code ORDER BY la.code), '{}')
  FROM ims.local_authority la
  WHERE la.code IN (SELECT org_code FROM scope)
     OR la.icb_code IN (SELECT org_code FROM scope)
     OR la.region_code IN (SELECT org_code FROM scope)
$$;

-- For policies and checks on tables keyed by person. Runs as the owner, so it reads the
-- person row whatever the caller can see, and then applies the caller's scope.
CREATE FUNCTION ims.person_in_scope(p_person_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM ims.person p
    WHERE p.id = p_person_id
      AND (ims.is_admin()
           OR p.practice_code = ANY (ims.scope_practices())
           OR p.la_code = ANY (ims.scope_local_authorities())))
$$;

GRANT SELECT ON ims.app_user, ims.user_scope TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
ALTER TABLE ims.app_user ENABLE ROW LEVEL SECURITY;
ALTER TABLE ims.user_scope ENABLE ROW LEVEL SECURITY;
CREATE POLICY app_user_own_or_admin ON ims.app_user FOR SELECT
  USING (role_name = session_user::text OR (SELECT ims.is_admin()));
CREATE POLICY user_scope_own_or_admin ON ims.user_scope FOR SELECT
  USING (role_name = session_user::text OR (SELECT ims.is_admin()));

-- Persons. ENABLE, not FORCE: the owner maintains data (feeds, imports) unrestricted.
-- The scope functions sit in uncorrelated subqueries, so each runs once per statement and its
-- result becomes a hash table: a region's thousand practices cost one probe per row, where
-- `= ANY (array)` would compare with every element (0.76 s against 0.04 s for 100,000 persons).
GRANT SELECT ON ims.person TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
GRANT INSERT, UPDATE ON ims.person TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;
GRANT DELETE ON ims.person TO ims_administrator;
ALTER TABLE ims.person ENABLE ROW LEVEL SECURITY;
CREATE POLICY person_in_scope ON ims.person
  USING ((SELECT ims.is_admin())
         OR practice_code IN (SELECT unnest(ims.scope_practices()))
         OR la_code IN (SELECT unnest(ims.scope_local_authorities())))
  WITH CHECK ((SELECT ims.is_admin())
         OR practice_code IN (SELECT unnest(ims.scope_practices()))
         OR la_code IN (SELECT unnest(ims.scope_local_authorities())));

-- ---------------------------------------------------------------------------------------
-- Audit, written by the database.

CREATE SCHEMA audit;
GRANT USAGE ON SCHEMA audit TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;

CREATE TABLE audit.change_log (
  id             bigserial PRIMARY KEY,
  at             timestamptz NOT NULL DEFAULT now(),
  actor          text NOT NULL DEFAULT session_user,
  table_name     text NOT NULL,
  operation      text NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
  row_id         text,
  person_id      bigint,
  old_row        jsonb,
  new_row        jsonb,
  bulk_row_count integer,
  note           text
);
CREATE INDEX change_log_person_idx ON audit.change_log (person_id, at) WHERE person_id IS NOT NULL;
CREATE INDEX change_log_row_idx ON audit.change_log (table_name, row_id);
-- Append-only and in time order: a BRIN index costs next to nothing per inserted row.
CREATE INDEX change_log_at_idx ON audit.change_log USING brin (at);

-- No foreign key to ims.person: the trail must outlive the record it describes.
CREATE TABLE audit.record_view (
  id        bigserial PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  actor     text NOT NULL DEFAULT session_user,
  person_id bigint NOT NULL,
  purpose   text NOT NULL
);
CREATE INDEX record_view_person_idx ON audit.record_view (person_id, at);

REVOKE ALL ON audit.change_log, audit.record_view FROM PUBLIC;
GRANT SELECT ON audit.change_log TO ims_administrator;
GRANT SELECT ON audit.record_view TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
-- Who viewed a record is visible to whoever can see that record.
ALTER TABLE audit.record_view ENABLE ROW LEVEL SECURITY;
CREATE POLICY record_view_person_visible ON audit.record_view FOR SELECT
  USING ((SELECT ims.is_admin()) OR EXISTS (SELECT 1 FROM ims.person p WHERE p.id = record_view.person_id));

-- Audit rows are never changed. Grants already refuse ordinary roles; this trigger refuses
-- everyone, including the owner, unless the owner deliberately drops it.
CREATE FUNCTION audit.refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'Audit records cannot be changed or removed (% on %.%).', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON audit.change_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER audit_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON audit.record_view
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

-- Statement-level capture from transition tables: one set-based INSERT per statement, so a
-- million-row load costs one pass rather than a million trigger calls.
-- Arguments (set by audit.attach): the person id column ('' if none), then the key columns.
--
-- Bulk loads: when ims.bulk_load_reason is set and the session user is not an application
-- user (the schema owner or a maintenance role loading feeds), one summary row per statement
-- is written instead of one row per changed row. Application users cannot use the setting
-- to hide their changes: for them it is ignored and every row is logged. The owner could
-- drop the triggers anyway, so trusting the owner here grants nothing new.
CREATE FUNCTION audit.capture() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_table  text := TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME;
  v_person text := nullif(TG_ARGV[0], '');
  v_keys   text[] := TG_ARGV[1:TG_NARGS - 1];
  v_key1   text := TG_ARGV[1];
  v_single boolean := TG_NARGS = 2;
  v_reason text := nullif(current_setting('ims.bulk_load_reason', true), '');
  v_count  bigint;
BEGIN
  IF v_reason IS NOT NULL AND NOT ims.is_application_user() THEN
    IF TG_OP = 'DELETE' THEN
      SELECT count(*) INTO v_count FROM old_rows;
    ELSE
      SELECT count(*) INTO v_count FROM new_rows;
    END IF;
    IF v_count > 0 THEN
      INSERT INTO audit.change_log (table_name, operation, bulk_row_count, note)
      VALUES (v_table, TG_OP, v_count, v_reason);
    END IF;
    RETURN NULL;
  END IF;

  IF TG_OP = 'INSERT' THEN
    INSERT INTO audit.change_log (table_name, operation, row_id, person_id, new_row)
    SELECT v_table, 'INSERT',
           CASE WHEN v_single THEN j ->> v_key1 ELSE array_to_string(ARRAY(SELECT j ->> k FROM unnest(v_keys) k), ',') END,
           (j ->> v_person)::bigint, j
    FROM (SELECT to_jsonb(n) AS j FROM new_rows n) t;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO audit.change_log (table_name, operation, row_id, person_id, old_row)
    SELECT v_table, 'DELETE',
           CASE WHEN v_single THEN j ->> v_key1 ELSE array_to_string(ARRAY(SELECT j ->> k FROM unnest(v_keys) k), ',') END,
           (j ->> v_person)::bigint, j
    FROM (SELECT to_jsonb(o) AS j FROM old_rows o) t;
  ELSE
    -- Old and new rows are paired by key; a changed key shows as two half rows.
    INSERT INTO audit.change_log (table_name, operation, row_id, person_id, old_row, new_row)
    SELECT v_table, 'UPDATE', coalesce(n.k, o.k),
           coalesce((n.j ->> v_person)::bigint, (o.j ->> v_person)::bigint), o.j, n.j
    FROM (SELECT j, CASE WHEN v_single THEN j ->> v_key1 ELSE array_to_string(ARRAY(SELECT j ->> k FROM unnest(v_keys) k), ',') END AS k
          FROM (SELECT to_jsonb(x) AS j FROM old_rows x) a) o
    FULL JOIN (SELECT j, CASE WHEN v_single THEN j ->> v_key1 ELSE array_to_string(ARRAY(SELECT j ->> k FROM unnest(v_keys) k), ',') END AS k
          FROM (SELECT to_jsonb(x) AS j FROM new_rows x) b) n ON n.k = o.k
    WHERE o.j IS DISTINCT FROM n.j; -- rows an UPDATE touched without changing are not news
  END IF;
  RETURN NULL;
END
$$;

-- Attaches the capture triggers to a table with a primary key. Later migrations call this on
-- their own tables. A table with a person_id column (or ims.person itself) records person_id.
CREATE FUNCTION audit.attach(p_table regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_keys   text[];
  v_person text;
  v_args   text;
BEGIN
  SELECT array_agg(a.attname::text ORDER BY k.ord) INTO v_keys
  FROM pg_index i
  CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
  WHERE i.indrelid = p_table AND i.indisprimary;
  IF v_keys IS NULL THEN
    RAISE EXCEPTION 'audit.attach: % has no primary key to identify rows by', p_table;
  END IF;
  IF p_table = 'ims.person'::regclass THEN
    v_person := 'id';
  ELSIF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = p_table AND attname = 'person_id' AND NOT attisdropped) THEN
    v_person := 'person_id';
  ELSE
    v_person := '';
  END IF;
  v_args := array_to_string(ARRAY(SELECT quote_literal(x) FROM unnest(array_prepend(v_person, v_keys)) AS x), ', ');
  EXECUTE format('DROP TRIGGER IF EXISTS audit_insert ON %s', p_table);
  EXECUTE format('DROP TRIGGER IF EXISTS audit_update ON %s', p_table);
  EXECUTE format('DROP TRIGGER IF EXISTS audit_delete ON %s', p_table);
  -- One trigger per event: PostgreSQL allows transition tables only on single-event triggers.
  EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                 'FOR EACH STATEMENT EXECUTE FUNCTION audit.capture(%s)', p_table, v_args);
  EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                 'FOR EACH STATEMENT EXECUTE FUNCTION audit.capture(%s)', p_table, v_args);
  EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                 'FOR EACH STATEMENT EXECUTE FUNCTION audit.capture(%s)', p_table, v_args);
END
$$;
REVOKE EXECUTE ON FUNCTION audit.attach(regclass) FROM PUBLIC;

-- Writes a view record for a person the caller may see. Runs as the owner because ordinary
-- roles cannot insert audit rows; the actor is still the caller (session_user).
CREATE FUNCTION audit.log_record_view(p_person_id bigint, p_purpose text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_purpose IS NULL OR length(btrim(p_purpose)) = 0 OR length(p_purpose) > 200 THEN
    RAISE EXCEPTION 'A purpose of 1 to 200 characters is required.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT ims.person_in_scope(p_person_id) THEN
    RETURN false;
  END IF;
  INSERT INTO audit.record_view (person_id, purpose) VALUES (p_person_id, btrim(p_purpose));
  RETURN true;
END
$$;
REVOKE EXECUTE ON FUNCTION audit.log_record_view(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.log_record_view(bigint, text)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;

-- The application calls this whenever a record is opened. Invoker rights: visibility is
-- decided by the caller's own row-level security.
CREATE FUNCTION ims.open_person_record(p_person_id bigint, p_purpose text DEFAULT 'view') RETURNS boolean
LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ims.person WHERE id = p_person_id) THEN
    RETURN false;
  END IF;
  RETURN audit.log_record_view(p_person_id, p_purpose);
END
$$;

-- Secures a table whose rows belong to a person (person_id column): visible and writable
-- when the person is visible, readable by every group, written by p_writers, deleted only by
-- administrators, and audited. Later migrations use it for their person-linked tables.
CREATE FUNCTION ims.secure_person_table(
  p_table regclass,
  p_writers text[] DEFAULT ARRAY['ims_administrator', 'ims_coordinator', 'ims_child_health', 'ims_occupational_health']
) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_rel text := (SELECT quote_ident(relname) FROM pg_class WHERE oid = p_table);
  v_visible text;
  w text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = p_table AND attname = 'person_id' AND NOT attisdropped) THEN
    RAISE EXCEPTION 'ims.secure_person_table: % has no person_id column', p_table;
  END IF;
  -- EXISTS on ims.person, which is itself filtered by the caller's policy.
  v_visible := format('EXISTS (SELECT 1 FROM ims.person p WHERE p.id = %s.person_id)', v_rel);
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', p_table);
  EXECUTE format('DROP POLICY IF EXISTS person_visible ON %s', p_table);
  EXECUTE format('CREATE POLICY person_visible ON %s USING (%s) WITH CHECK (%s)', p_table, v_visible, v_visible);
  EXECUTE format('GRANT SELECT ON %s TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst', p_table);
  FOREACH w IN ARRAY p_writers LOOP
    IF w NOT IN ('ims_administrator', 'ims_coordinator', 'ims_child_health', 'ims_occupational_health') THEN
      RAISE EXCEPTION 'ims.secure_person_table: % may not be given write access', w;
    END IF;
    EXECUTE format('GRANT INSERT, UPDATE ON %s TO %I', p_table, w);
  END LOOP;
  EXECUTE format('GRANT DELETE ON %s TO ims_administrator', p_table);
  PERFORM audit.attach(p_table);
END
$$;
REVOKE EXECUTE ON FUNCTION ims.secure_person_table(regclass, text[]) FROM PUBLIC;

SELECT ims.secure_person_table('ims.contact_details');
SELECT ims.secure_person_table('ims.clinical_flag');
-- Employment details are the occupational health service's records.
SELECT ims.secure_person_table('ims.staff_record', ARRAY['ims_administrator', 'ims_occupational_health']);

SELECT audit.attach('ims.person');
SELECT audit.attach('ims.app_user');
SELECT audit.attach('ims.user_scope');
