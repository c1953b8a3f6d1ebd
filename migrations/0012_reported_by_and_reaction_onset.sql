-- Who a vaccination record is about, in the words a parent reads on the printed record.
--
-- A dose reported from elsewhere was stored with the signed-in user as its performer ("Given
-- by" on the parent's record). It now says who reported it (a parent-held record, the GP
-- practice, another provider) and, in a free-text name, which one; performer_name stays "who
-- gave it", filled only when the report names them. On a dose not given, performer_name is who
-- offered it. The reporter is required by the application for every reported dose it records;
-- rows written before, and imports that name their source system instead, keep it empty.

ALTER TABLE ims.vaccination_event
  ADD COLUMN reported_by text
    CONSTRAINT vaccination_event_reported_by_check CHECK (reported_by IN ('PARENT_HELD_RECORD', 'GP', 'OTHER_PROVIDER')),
  ADD COLUMN reported_by_name text
    CONSTRAINT vaccination_event_reported_by_name_check CHECK (reported_by_name IS NULL OR length(btrim(reported_by_name)) BETWEEN 1 AND 200),
  -- Only a dose given elsewhere has a reporter; a name says which GP or provider it was.
  ADD CONSTRAINT vaccination_event_reporter_only_reported CHECK (reported_by IS NULL OR NOT primary_source),
  ADD CONSTRAINT vaccination_event_reporter_name_has_kind CHECK (reported_by_name IS NULL OR reported_by IS NOT NULL);

-- Inserts are granted column by column (0006_hardening.sql): the groups that record
-- vaccinations may write the new columns too.
GRANT INSERT (reported_by, reported_by_name) ON ims.vaccination_event
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;

-- An adverse reaction cannot have started after it was recorded. The onset cannot be changed
-- afterwards (no UPDATE grant on onset_at), so checking on insert is enough. The tolerance
-- allows for a workstation clock a little ahead of the database's.
CREATE FUNCTION ims.adverse_reaction_onset_not_future() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.onset_at > now() + interval '5 minutes' THEN
    RAISE EXCEPTION 'A reaction cannot start in the future (onset %).', NEW.onset_at
      USING ERRCODE = 'check_violation', CONSTRAINT = 'adverse_reaction_onset_not_future';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER adverse_reaction_onset_not_future BEFORE INSERT ON ims.adverse_reaction
  FOR EACH ROW EXECUTE FUNCTION ims.adverse_reaction_onset_not_future();
