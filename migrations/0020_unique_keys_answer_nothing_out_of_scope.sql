-- Unique keys are checked against the whole table, whoever asks, so a refused or skipped write
-- tells a scoped user that a row exists somewhere outside their scope (attack review, issue 7,
-- finding 6).
--
-- NHS numbers: a coordinator inserting a person (or ON CONFLICT DO NOTHING, or changing an
-- NHS number) learnt whether that NHS number was registered anywhere in the region. Any answer
-- that differs between "registered elsewhere" and "new" is such an oracle, so registering
-- people and changing NHS numbers are left to those who see the whole register anyway: the
-- owner's feeds and administrators. The application has no screen for either.
REVOKE INSERT ON ims.person FROM ims_coordinator, ims_child_health, ims_occupational_health;
REVOKE UPDATE (nhs_number) ON ims.person FROM ims_coordinator, ims_child_health, ims_occupational_health;

-- A vaccination's source identity: the API answered CONFLICT when another organisation's
-- person already had an event with that source id. Resending an event is a duplicate for the
-- same person; the key is now per person, so it refuses exactly what the user can see.
DROP INDEX ims.vaccination_event_source_key;
CREATE UNIQUE INDEX vaccination_event_source_key ON ims.vaccination_event (person_id, source_system, source_id)
  WHERE status <> 'SUPERSEDED';
