-- Application users may change what a record says, never which row it is or when it was
-- written. Table-wide UPDATE let a scoped user change a row's id (an id planted ahead of the
-- sequence makes other users' inserts fail), move a child row to another person, and rewrite
-- created and updated times (attack review, issue 7, finding 7). As 0006 did for INSERT,
-- table-wide UPDATE becomes UPDATE on every other column, for exactly the groups that had it.
-- The owner (feeds, corrections of reference data) is unaffected. The schedule status keeps
-- its table-wide grants: claiming from the status queue tests for them, and who may write
-- status rows at all is a question of its own (issue 7, finding 9).
DO $$
DECLARE
  t record;
  g record;
  cols text;
BEGIN
  FOR t IN
    SELECT * FROM (VALUES
      ('person', ARRAY['id', 'created_at', 'updated_at']),
      ('contact_details', ARRAY['person_id', 'updated_at']),
      ('clinical_flag', ARRAY['id', 'person_id']),
      ('staff_record', ARRAY['id', 'person_id'])
    ) AS v(table_name, excluded)
  LOOP
    SELECT string_agg(quote_ident(c.column_name), ', ' ORDER BY c.ordinal_position) INTO cols
    FROM information_schema.columns c
    WHERE c.table_schema = 'ims' AND c.table_name = t.table_name
      AND c.is_generated = 'NEVER' AND NOT (c.column_name = ANY (t.excluded));
    FOR g IN
      SELECT DISTINCT grantee FROM information_schema.role_table_grants
      WHERE table_schema = 'ims' AND table_name = t.table_name AND privilege_type = 'UPDATE' AND grantee LIKE 'ims\_%'
    LOOP
      EXECUTE format('REVOKE UPDATE ON ims.%I FROM %I', t.table_name, g.grantee);
      EXECUTE format('GRANT UPDATE (%s) ON ims.%I TO %I', cols, t.table_name, g.grantee);
    END LOOP;
  END LOOP;
END
$$;

-- The database keeps the record-keeping times: created_at never changes, and updated_at moves
-- on when, and only when, something else in the row did (an UPDATE that changes nothing is
-- still nothing to the audit trail). Generated columns are NULL in a BEFORE trigger's NEW, so
-- they are left out of the comparison: the trigger's arguments name them.
CREATE FUNCTION ims.keep_record_times() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  NEW.updated_at := OLD.updated_at;
  IF TG_TABLE_NAME = 'person' THEN
    NEW.created_at := OLD.created_at;
  END IF;
  IF (to_jsonb(NEW) - TG_ARGV) IS DISTINCT FROM (to_jsonb(OLD) - TG_ARGV) THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.keep_record_times() FROM PUBLIC;
DO $$
DECLARE
  t regclass;
BEGIN
  FOREACH t IN ARRAY ARRAY['ims.person', 'ims.contact_details']::regclass[] LOOP
    EXECUTE format('CREATE TRIGGER keep_record_times BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION ims.keep_record_times(%s)',
      t, (SELECT string_agg(quote_literal(attname), ', ') FROM pg_attribute
          WHERE attrelid = t AND attgenerated <> '' AND NOT attisdropped));
  END LOOP;
END
$$;
