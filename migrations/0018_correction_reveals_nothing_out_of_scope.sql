-- A correction names the event it supersedes. The insert trigger runs as the owner (0006), so
-- it found the corrected row whoever asked, and its messages told a scoped user whether
-- another organisation's event existed, that it belonged to someone else, and whether it was
-- still active (attack review, issue 7, finding 5). Now an application user's correction
-- finds the row only when its person is in their scope; anything else gets the words used for
-- a row that does not exist. The scope is tested before the row is locked, so a second
-- session cannot learn anything from waiting on it either. The owner's corrections (feeds)
-- are unchanged.
CREATE OR REPLACE FUNCTION ims.vaccination_event_before_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b   record;
  old record;
BEGIN
  NEW.recorded_by := session_user;
  NEW.recorded_at := now();
  NEW.status := 'ACTIVE';
  NEW.status_reason := NULL;
  NEW.status_changed_by := NULL;
  NEW.status_changed_at := NULL;

  IF NEW.batch_id IS NOT NULL THEN
    SELECT batch_number, expiry_date INTO b FROM ims.batch WHERE id = NEW.batch_id;
    IF FOUND THEN
      IF NEW.batch_number IS NOT NULL AND NEW.batch_number <> b.batch_number THEN
        RAISE EXCEPTION 'Batch number % does not match the linked batch %.', NEW.batch_number, b.batch_number
          USING ERRCODE = 'check_violation', CONSTRAINT = 'vaccination_event_batch_matches';
      END IF;
      IF NEW.expiry_date IS NOT NULL AND NEW.expiry_date <> b.expiry_date THEN
        RAISE EXCEPTION 'Expiry date % does not match batch %, which expires on %.', NEW.expiry_date, b.batch_number, b.expiry_date
          USING ERRCODE = 'check_violation', CONSTRAINT = 'vaccination_event_batch_matches';
      END IF;
      NEW.batch_number := b.batch_number;
      NEW.expiry_date := b.expiry_date;
    END IF; -- a missing batch is reported by the foreign key
  END IF;

  IF NEW.supersedes_id IS NOT NULL THEN
    -- Lock the corrected row so two corrections cannot both supersede it; only a row the
    -- caller may see is looked at, let alone locked.
    SELECT e.id, e.person_id, e.status INTO old FROM ims.vaccination_event e
    WHERE e.id = NEW.supersedes_id
      AND (NOT ims.is_application_user() OR ims.person_in_scope(e.person_id))
    FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'Vaccination event % does not exist or is not visible.', NEW.supersedes_id
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'vaccination_event_supersedes_id_fkey';
    END IF;
    IF old.person_id <> NEW.person_id THEN
      RAISE EXCEPTION 'A correction must be for the same person as the event it corrects.'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'vaccination_event_same_person';
    END IF;
    IF old.status <> 'ACTIVE' THEN
      RAISE EXCEPTION 'Vaccination event % is % and cannot be corrected.', old.id, lower(replace(old.status, '_', ' '))
        USING ERRCODE = 'check_violation', CONSTRAINT = 'vaccination_event_supersedes_active';
    END IF;
    -- Before the insert, so the new version can take over the event's source identity.
    UPDATE ims.vaccination_event
       SET status = 'SUPERSEDED', status_changed_by = session_user, status_changed_at = now()
     WHERE id = old.id;
  END IF;
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.vaccination_event_before_insert() FROM PUBLIC;
