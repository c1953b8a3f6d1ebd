-- What the forecast engine needs about a set of persons, in one audited call. The forecast panel,
-- the recording form's dose check and the user's status drain read a person through four api
-- functions (basics, flags, staff records, vaccinations), each working out the caller's scope
-- and probing the audit again: sixteen scope look-ups and four audit probes per person, per
-- person in a drain's batch of two hundred. This function works the scope out once per call,
-- writes the record-view rows for the whole set in one statement (once per person, purpose and
-- transaction, as ims.audited_read does), and returns each person in scope with their flags,
-- staff records and active vaccination events as JSON. Persons absent or outside scope are
-- simply not returned, alike; an analyst gets no one (0026).
CREATE FUNCTION api.person_forecast_inputs(p_person_ids bigint[], p_purpose text)
RETURNS TABLE (id bigint, dob text, dod text, gender text, flags json, staff json, events json)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_purpose   text := btrim(p_purpose);
  v_user      boolean := ims.is_application_user();
  v_all       boolean;
  v_practices text[] := '{}';
  v_las       text[] := '{}';
BEGIN
  IF v_purpose IS NULL OR length(v_purpose) = 0 OR length(v_purpose) > 200 THEN
    RAISE EXCEPTION 'A purpose of 1 to 200 characters is required.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_person_ids IS NULL OR cardinality(p_person_ids) > 10000 THEN
    RAISE EXCEPTION 'Read between 0 and 10000 persons at a time.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Registration and role first: an analyst reads no one (0026).
  IF NOT ims.may_read_people() THEN
    RETURN;
  END IF;
  v_all := NOT v_user OR ims.is_admin();
  IF NOT v_all THEN
    v_practices := ims.scope_practices();
    v_las := ims.scope_local_authorities();
  END IF;

  RETURN QUERY
  WITH seen AS MATERIALIZED (
    SELECT p.id, p.date_of_birth, p.date_of_death, p.gender_code FROM ims.person p
    WHERE p.id = ANY (p_person_ids)
      AND (v_all OR p.practice_code = ANY (v_practices) OR p.la_code = ANY (v_las))),
  -- Runs to completion though nothing reads it (a data-modifying WITH always does). The owner
  -- and maintenance roles are outside the audit, as in ims.audited_read.
  logged AS (
    INSERT INTO audit.record_view (person_id, purpose)
    SELECT s.id, v_purpose FROM seen s
    WHERE v_user
      AND NOT EXISTS (SELECT 1 FROM audit.record_view v
                      WHERE v.person_id = s.id AND v.at = now() AND v.actor = session_user AND v.purpose = v_purpose)
    RETURNING 1)
  SELECT s.id, s.date_of_birth::text, s.date_of_death::text, s.gender_code,
    coalesce((SELECT json_agg(json_build_object('code', f.flag_code, 'from', f.from_date::text, 'to', f.to_date::text)
                              ORDER BY f.from_date, f.id)
              FROM ims.clinical_flag f WHERE f.person_id = s.id), '[]'::json),
    coalesce((SELECT json_agg(json_build_object('frontline', r.frontline, 'from', r.from_date::text, 'to', r.to_date::text)
                              ORDER BY r.from_date, r.id)
              FROM ims.staff_record r WHERE r.person_id = s.id), '[]'::json),
    -- Superseded and entered-in-error versions are not part of the clinical picture.
    coalesce((SELECT json_agg(json_build_object(
                       'id', e.id, 'date', e.occurred_on::text, 'outcome', e.outcome, 'reason', e.not_given_reason,
                       'productName', vp.short_name, 'programmeKind', pr.kind,
                       'antigens', ARRAY(SELECT pa.antigen_code FROM ims.product_antigen pa
                                         WHERE pa.product_code = e.product_code ORDER BY pa.antigen_code))
                     ORDER BY e.occurred_on, e.id)
              FROM ims.vaccination_event e
              JOIN ims.programme pr ON pr.code = e.programme_code
              LEFT JOIN ims.vaccine_product vp ON vp.code = e.product_code
              WHERE e.person_id = s.id AND e.status = 'ACTIVE'), '[]'::json)
  FROM seen s
  ORDER BY s.id;
END
$$;

REVOKE EXECUTE ON FUNCTION api.person_forecast_inputs(bigint[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.person_forecast_inputs(bigint[], text)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;
