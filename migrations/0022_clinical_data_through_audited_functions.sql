-- A person's clinical data is reached only through audited functions (issue 7, findings 3
-- and 1). Until now any user could SELECT vaccination events, reactions, clinical flags, staff
-- records and contact details directly, and the application itself read a history, a forecast
-- or a dose check without a record-view row: only opening and printing a record were audited.
-- Direct table access also let EXPLAIN ANALYZE count the rows row-level security hid ("Rows
-- Removed by Filter"): out-of-scope people's events and flags, and whether a named person has a
-- named flag.
--
-- Now the application groups hold no privilege on those tables. They call functions in the
-- api schema, which run as the owner with a fixed search_path and, for an application user:
--   * check that the user is registered in this database and that their role allows the action;
--   * answer an absent person and one outside scope in the same way (nothing, or one message);
--   * write a record-view row for every read of a person's data, once per person, purpose and
--     transaction, however many of these functions one statement calls.
-- Writes keep the tables' triggers: the per-row change audit, the correction rules, the
-- status queue. Row-level security stays on the tables as defence in depth. The owner and
-- maintenance roles (not application users) are outside this model, as before: they own the
-- tables and could read them directly, so their reads through these functions are not audited.
--
-- Still readable directly, for now: ims.person (search; next to move), the maintained schedule
-- status (derived rows that worklists read, written by the user's drain) and audit.record_view.

CREATE SCHEMA api;
REVOKE ALL ON SCHEMA api FROM PUBLIC;
GRANT USAGE ON SCHEMA api TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;

-- May the caller read this person's record? For an application user: registered here, person in
-- scope (ims.person_in_scope checks both, and that the person exists), and the read is audited.
CREATE FUNCTION ims.audited_read(p_person_id bigint, p_purpose text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_purpose text := btrim(p_purpose);
BEGIN
  IF v_purpose IS NULL OR length(v_purpose) = 0 OR length(v_purpose) > 200 THEN
    RAISE EXCEPTION 'A purpose of 1 to 200 characters is required.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT ims.is_application_user() THEN
    RETURN EXISTS (SELECT 1 FROM ims.person WHERE id = p_person_id);
  END IF;
  IF NOT ims.person_in_scope(p_person_id) THEN
    RETURN false;
  END IF;
  -- now() is the transaction's start, so "already logged in this transaction" is one index probe.
  INSERT INTO audit.record_view (person_id, purpose)
  SELECT p_person_id, v_purpose
  WHERE NOT EXISTS (SELECT 1 FROM audit.record_view v
                    WHERE v.person_id = p_person_id AND v.at = now() AND v.actor = session_user AND v.purpose = v_purpose);
  RETURN true;
END
$$;

-- May the caller record vaccinations and reactions? The groups that had INSERT on the tables.
CREATE FUNCTION ims.may_record_clinical() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT NOT ims.is_application_user()
      OR (ims.is_registered_user()
          AND (pg_has_role(session_user, 'ims_administrator', 'USAGE') OR pg_has_role(session_user, 'ims_coordinator', 'USAGE')
               OR pg_has_role(session_user, 'ims_child_health', 'USAGE') OR pg_has_role(session_user, 'ims_occupational_health', 'USAGE')))
$$;

CREATE FUNCTION ims.refuse_recording() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'Your role may not record vaccinations.' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION ims.refuse_unknown_person() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'This person is not on the register, or is not available to you.' USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION ims.refuse_unknown_event(p_event_id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'No vaccination record % is available to you.', p_event_id USING ERRCODE = 'insufficient_privilege';
END
$$;

REVOKE EXECUTE ON FUNCTION ims.audited_read(bigint, text), ims.may_record_clinical(), ims.refuse_recording(),
  ims.refuse_unknown_person(), ims.refuse_unknown_event(bigint) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------
-- Reads. Each returns nothing for an absent person and for one outside scope alike.

-- The record screen (and the printed record): who the person is, how to contact them, their
-- flags and staff records, in the contract's shape (main-api/contract/people.ts, PersonRecord,
-- without the age, which is England's today's business, and the recent views).
CREATE FUNCTION api.person_record(p_person_id bigint, p_purpose text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.audited_read(p_person_id, p_purpose) THEN
    RETURN NULL;
  END IF;
  RETURN (
    SELECT jsonb_build_object(
      'person', jsonb_build_object(
        'id', p.id, 'nhsNumber', p.nhs_number, 'givenName', p.given_name, 'familyName', p.family_name,
        'dateOfBirth', p.date_of_birth, 'genderCode', p.gender_code, 'postcode', p.postcode,
        'practiceCode', p.practice_code, 'practiceName', o.name, 'dateOfDeath', p.date_of_death,
        'otherGivenNames', p.other_given_names, 'ethnicCategory', p.ethnic_category, 'ethnicCategoryLabel', ec.label,
        'lsoaCode', p.lsoa_code, 'imdDecile', p.imd_decile, 'localAuthority', la.name, 'schoolUrn', p.school_urn,
        'schoolName', s.name, 'yearGroup', p.year_group, 'registrationStatus', p.registration_status),
      'contact', (
        SELECT jsonb_build_object(
          'addressLines', to_jsonb(array_remove(ARRAY[nullif(c.address_line1, ''), nullif(c.address_line2, ''),
                                                      nullif(c.address_line3, ''), nullif(c.town, '')], NULL)),
          'email', c.email, 'mobile', c.mobile, 'landline', c.landline, 'preferredChannel', c.preferred_channel,
          'optOut', jsonb_build_object('letter', c.opt_out_letter, 'email', c.opt_out_email, 'sms', c.opt_out_sms))
        FROM ims.contact_details c WHERE c.person_id = p.id),
      'flags', coalesce((
        SELECT jsonb_agg(jsonb_build_object('id', f.id, 'code', f.flag_code, 'label', t.label, 'category', t.category,
                                            'fromDate', f.from_date, 'toDate', f.to_date, 'source', f.source)
                         ORDER BY f.from_date DESC, f.id)
        FROM ims.clinical_flag f JOIN ims.flag_type t ON t.code = f.flag_code WHERE f.person_id = p.id), '[]'::jsonb),
      'staff', coalesce((
        SELECT jsonb_agg(jsonb_build_object('id', r.id, 'employerCode', r.employer_code, 'employerName', e.name,
                                            'department', r.department, 'staffGroup', r.staff_group, 'jobRole', r.job_role,
                                            'frontline', r.frontline, 'fromDate', r.from_date, 'toDate', r.to_date)
                         ORDER BY r.from_date DESC, r.id)
        FROM ims.staff_record r JOIN ims.organisation e ON e.code = r.employer_code WHERE r.person_id = p.id), '[]'::jsonb))
    FROM ims.person p
    LEFT JOIN ims.organisation o ON o.code = p.practice_code
    LEFT JOIN ims.ethnic_category ec ON ec.code = p.ethnic_category
    LEFT JOIN ims.local_authority la ON la.code = p.la_code
    LEFT JOIN ims.school s ON s.urn = p.school_urn
    WHERE p.id = p_person_id);
END
$$;

-- Every version of every vaccination event of the person (the history, the forecast's doses).
CREATE FUNCTION api.person_vaccinations(p_person_id bigint, p_purpose text) RETURNS SETOF ims.vaccination_event
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF ims.audited_read(p_person_id, p_purpose) THEN
    RETURN QUERY SELECT * FROM ims.vaccination_event e WHERE e.person_id = p_person_id;
  END IF;
END
$$;

CREATE FUNCTION api.person_reactions(p_person_id bigint, p_purpose text) RETURNS SETOF ims.adverse_reaction
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF ims.audited_read(p_person_id, p_purpose) THEN
    RETURN QUERY SELECT * FROM ims.adverse_reaction r WHERE r.person_id = p_person_id;
  END IF;
END
$$;

CREATE FUNCTION api.person_flags(p_person_id bigint, p_purpose text) RETURNS SETOF ims.clinical_flag
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF ims.audited_read(p_person_id, p_purpose) THEN
    RETURN QUERY SELECT * FROM ims.clinical_flag f WHERE f.person_id = p_person_id;
  END IF;
END
$$;

CREATE FUNCTION api.person_staff_records(p_person_id bigint, p_purpose text) RETURNS SETOF ims.staff_record
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF ims.audited_read(p_person_id, p_purpose) THEN
    RETURN QUERY SELECT * FROM ims.staff_record s WHERE s.person_id = p_person_id;
  END IF;
END
$$;

-- One event and the version that superseded it, if any (both the same person's). With p_lock
-- the event is locked for a status change or a correction, after the scope check.
CREATE FUNCTION api.vaccination_event(p_event_id bigint, p_purpose text, p_lock boolean DEFAULT false)
RETURNS SETOF ims.vaccination_event
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_person bigint := (SELECT e.person_id FROM ims.vaccination_event e WHERE e.id = p_event_id);
BEGIN
  IF v_person IS NULL OR NOT ims.audited_read(v_person, p_purpose) THEN
    RETURN;
  END IF;
  IF p_lock THEN
    PERFORM 1 FROM ims.vaccination_event e WHERE e.id = p_event_id FOR UPDATE;
  END IF;
  RETURN QUERY SELECT * FROM ims.vaccination_event e WHERE e.id = p_event_id OR e.supersedes_id = p_event_id;
END
$$;

-- The person's live event with a source identity, if any (the key is per person: 0020).
CREATE FUNCTION api.vaccination_event_by_source(p_person_id bigint, p_source_system text, p_source_id text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.audited_read(p_person_id, 'record vaccination') THEN
    RETURN NULL;
  END IF;
  RETURN (SELECT e.id FROM ims.vaccination_event e
          WHERE e.person_id = p_person_id AND e.source_system = p_source_system AND e.source_id = p_source_id
            AND e.status <> 'SUPERSEDED');
END
$$;

-- ---------------------------------------------------------------------------------------
-- Writes. The row comes as JSON keyed by column name; only the columns a user could insert
-- before (0006, 0012) are taken, and the tables' triggers own the rest.

CREATE FUNCTION api.record_vaccination(p_event jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r  ims.vaccination_event := jsonb_populate_record(NULL::ims.vaccination_event, p_event);
  v_id bigint;
BEGIN
  IF NOT ims.may_record_clinical() THEN
    PERFORM ims.refuse_recording();
  END IF;
  IF NOT ims.audited_read(r.person_id, 'record vaccination') THEN
    PERFORM ims.refuse_unknown_person();
  END IF;
  INSERT INTO ims.vaccination_event (
    person_id, programme_code, outcome, not_given_reason, occurred_at, occurred_on, dose_sequence,
    product_code, batch_id, batch_number, expiry_date, site_code, site_term, route_code, route_term,
    dose_amount, dose_unit_code, dose_unit_term, performer_name, performer_role, location_code, location_type,
    organisation_code, legal_basis, primary_source, source_system, source_id, notes, supersedes_id, change_reason,
    reported_by, reported_by_name)
  VALUES (
    r.person_id, r.programme_code, r.outcome, r.not_given_reason, r.occurred_at, r.occurred_on, r.dose_sequence,
    r.product_code, r.batch_id, r.batch_number, r.expiry_date, r.site_code, r.site_term, r.route_code, r.route_term,
    r.dose_amount, r.dose_unit_code, r.dose_unit_term, r.performer_name, r.performer_role, r.location_code, r.location_type,
    r.organisation_code, r.legal_basis, r.primary_source, coalesce(r.source_system, 'IMS'),
    coalesce(r.source_id, gen_random_uuid()::text), r.notes, r.supersedes_id, r.change_reason,
    r.reported_by, r.reported_by_name)
  RETURNING vaccination_event.id INTO v_id;
  RETURN v_id;
END
$$;

-- True when the event was active and is now entered in error; false when it had already moved on.
CREATE FUNCTION api.mark_entered_in_error(p_event_id bigint, p_reason text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_person bigint := (SELECT e.person_id FROM ims.vaccination_event e WHERE e.id = p_event_id);
BEGIN
  IF NOT ims.may_record_clinical() THEN
    PERFORM ims.refuse_recording();
  END IF;
  IF v_person IS NULL OR NOT ims.audited_read(v_person, 'mark entered in error') THEN
    PERFORM ims.refuse_unknown_event(p_event_id);
  END IF;
  UPDATE ims.vaccination_event SET status = 'ENTERED_IN_ERROR', status_reason = p_reason
  WHERE id = p_event_id AND status = 'ACTIVE';
  RETURN FOUND;
END
$$;

CREATE FUNCTION api.record_reaction(p_reaction jsonb) RETURNS SETOF ims.adverse_reaction
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r ims.adverse_reaction := jsonb_populate_record(NULL::ims.adverse_reaction, p_reaction);
BEGIN
  IF NOT ims.may_record_clinical() THEN
    PERFORM ims.refuse_recording();
  END IF;
  IF NOT ims.audited_read(r.person_id, 'record reaction') THEN
    PERFORM ims.refuse_unknown_person();
  END IF;
  -- The insert trigger looks the event up as the owner: make sure it is this person's first,
  -- so its messages never describe someone else's vaccination.
  IF NOT EXISTS (SELECT 1 FROM ims.vaccination_event e WHERE e.id = r.vaccination_event_id AND e.person_id = r.person_id) THEN
    PERFORM ims.refuse_unknown_event(r.vaccination_event_id);
  END IF;
  RETURN QUERY
  INSERT INTO ims.adverse_reaction (person_id, vaccination_event_id, onset_at, reaction_code, description,
    seriousness, outcome, reporter, reported_to_mhra, yellow_card_reference)
  VALUES (r.person_id, r.vaccination_event_id, r.onset_at, r.reaction_code, r.description,
    r.seriousness, r.outcome, r.reporter, coalesce(r.reported_to_mhra, false), r.yellow_card_reference)
  RETURNING *;
END
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA api FROM PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA api
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;

-- No direct access any more: no SELECT (so no EXPLAIN either), no writes around the functions.
REVOKE ALL ON ims.vaccination_event, ims.adverse_reaction, ims.clinical_flag, ims.staff_record, ims.contact_details
  FROM ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
