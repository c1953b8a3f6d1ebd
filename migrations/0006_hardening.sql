-- Closes gaps found in review of 0002-0004, where an application user with plain SQL could
-- forge audit rows, hide a dose, or put words in someone else's mouth.

-- 1. The vaccination-event insert trigger supersedes the corrected row. It now runs as the
--    owner, so that is the only way a row becomes SUPERSEDED (see the guard below). The row
--    it supersedes must be for the same person (checked in the trigger), and the new row must
--    pass the user's own row-level security check, or the whole statement fails.
ALTER FUNCTION ims.vaccination_event_before_insert() SECURITY DEFINER;

-- 2. Trigger functions are for triggers only. Without this, any role could attach a SECURITY
--    DEFINER trigger function (audit.capture above all) to a temporary table of its own and
--    have the owner write what it likes: forged audit rows, or superseded events.
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname IN ('ims', 'audit') AND p.prorettype = 'trigger'::regtype
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END
$$;

-- 3. SUPERSEDED only through a correction; who changed a status and when are the database's.
CREATE FUNCTION ims.vaccination_event_status_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.status = 'SUPERSEDED' AND OLD.status <> 'SUPERSEDED'
     AND NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
    RAISE EXCEPTION 'A vaccination is superseded only by recording its correction.'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
    NEW.status_changed_by := OLD.status_changed_by;
    NEW.status_changed_at := OLD.status_changed_at;
  END IF;
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.vaccination_event_status_guard() FROM PUBLIC;
-- Named to fire after vaccination_event_before_update (triggers fire in name order).
CREATE TRIGGER vaccination_event_status_guard BEFORE UPDATE ON ims.vaccination_event
  FOR EACH ROW EXECUTE FUNCTION ims.vaccination_event_status_guard();
REVOKE UPDATE (status_changed_by, status_changed_at) ON ims.vaccination_event
  FROM ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;

-- 4. Who added a batch, and when, is recorded by the database, not claimed by the client.
CREATE FUNCTION ims.batch_before_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  NEW.created_by := session_user;
  NEW.created_at := now();
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.batch_before_insert() FROM PUBLIC;
CREATE TRIGGER batch_before_insert BEFORE INSERT ON ims.batch
  FOR EACH ROW EXECUTE FUNCTION ims.batch_before_insert();

-- 5. Application users may not choose row ids or record-keeping columns: an id planted ahead of
--    the sequence would make everyone else's next insert fail. Table INSERT becomes column
--    INSERT on every other column, for exactly the groups that had it. The owner's bulk loads
--    (COPY with explicit ids) are unaffected.
DO $$
DECLARE
  t record;
  g record;
  cols text;
BEGIN
  FOR t IN
    SELECT * FROM (VALUES
      ('person', ARRAY['id', 'created_at', 'updated_at']),
      ('clinical_flag', ARRAY['id']),
      ('staff_record', ARRAY['id']),
      ('contact_details', ARRAY['updated_at']),
      ('batch', ARRAY['id', 'created_by', 'created_at']),
      ('vaccination_event', ARRAY['id', 'recorded_by', 'recorded_at', 'status', 'status_reason', 'status_changed_by', 'status_changed_at']),
      ('adverse_reaction', ARRAY['id', 'recorded_by', 'recorded_at'])
    ) AS v(table_name, excluded)
  LOOP
    SELECT string_agg(quote_ident(c.column_name), ', ' ORDER BY c.ordinal_position) INTO cols
    FROM information_schema.columns c
    WHERE c.table_schema = 'ims' AND c.table_name = t.table_name
      AND c.is_generated = 'NEVER' AND NOT (c.column_name = ANY (t.excluded));
    FOR g IN
      SELECT DISTINCT grantee FROM information_schema.role_table_grants
      WHERE table_schema = 'ims' AND table_name = t.table_name AND privilege_type = 'INSERT' AND grantee LIKE 'ims\_%'
    LOOP
      EXECUTE format('REVOKE INSERT ON ims.%I FROM %I', t.table_name, g.grantee);
      EXECUTE format('GRANT INSERT (%s) ON ims.%I TO %I', cols, t.table_name, g.grantee);
    END LOOP;
  END LOOP;
END
$$;
