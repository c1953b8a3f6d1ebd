-- Children who move in with an incomplete or overseas history, and out with a transfer summary.
--
-- A mover in is recorded on the person: the date they arrived and where from (a country when
-- from abroad, a previous area otherwise). The catch-up plan and the transfer summary read it,
-- with the person's history, through audited functions: a plan is a clinical read.
--
-- A dose given abroad is a reported dose (primary_source false) whose reporter is now
-- 'OVERSEAS', its name the country, so the record and the transfer summary can say so.

ALTER TABLE ims.vaccination_event DROP CONSTRAINT vaccination_event_reported_by_check;
ALTER TABLE ims.vaccination_event
  ADD CONSTRAINT vaccination_event_reported_by_check
    CHECK (reported_by IN ('PARENT_HELD_RECORD', 'GP', 'OTHER_PROVIDER', 'OVERSEAS'));

CREATE TABLE ims.person_arrival (
  -- One arrival per person: a later move in replaces it (the change log keeps the earlier one).
  -- Part of who the person is, like their contact details: it goes with the person.
  person_id     bigint PRIMARY KEY REFERENCES ims.person (id) ON DELETE CASCADE,
  arrived_on    date NOT NULL,
  -- ISO 3166-1 alpha-2 when from abroad; null for a move within the UK.
  from_country  text CHECK (from_country ~ '^[A-Z]{2}$' AND from_country <> 'GB'),
  -- Free text: the previous area, child health service or country's region, as the family says.
  from_area     text CHECK (from_area IS NULL OR length(btrim(from_area)) BETWEEN 1 AND 200),
  recorded_by   text NOT NULL DEFAULT session_user,
  recorded_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (from_country IS NOT NULL OR from_area IS NOT NULL)
);

-- Row-level security and per-row audit as every person-linked table; users reach it only
-- through the functions below.
SELECT ims.secure_person_table('ims.person_arrival');
REVOKE ALL ON ims.person_arrival FROM PUBLIC, ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;

-- The arrival, when recorded; nothing for an absent person, one out of scope, or none recorded.
CREATE FUNCTION api.person_arrival(p_person_id bigint, p_purpose text)
RETURNS TABLE (arrived_on text, from_country text, from_area text, recorded_by text, recorded_at text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF ims.audited_read(p_person_id, p_purpose) THEN
    RETURN QUERY
    SELECT a.arrived_on::text, a.from_country, a.from_area, a.recorded_by,
           to_char(a.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    FROM ims.person_arrival a WHERE a.person_id = p_person_id;
  END IF;
END
$$;

-- Records (or replaces) a person's arrival. The dates are checked here as well as by the
-- application, so psql cannot store an arrival before birth or in the future.
CREATE FUNCTION api.person_arrival_set(p_person_id bigint, p_arrived_on date, p_from_country text, p_from_area text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_country text := nullif(upper(btrim(p_from_country)), '');
  v_area    text := nullif(btrim(p_from_area), '');
  v_dob     date;
BEGIN
  IF NOT ims.may_record_clinical() THEN
    RAISE EXCEPTION 'Your role may not record a move.' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NOT ims.audited_read(p_person_id, 'record arrival') THEN
    PERFORM ims.refuse_unknown_person();
  END IF;
  SELECT p.date_of_birth INTO v_dob FROM ims.person p WHERE p.id = p_person_id;
  IF p_arrived_on IS NULL OR p_arrived_on < v_dob OR p_arrived_on > (now() AT TIME ZONE 'Europe/London')::date THEN
    RAISE EXCEPTION 'The arrival date must be between the date of birth and today.' USING ERRCODE = 'check_violation';
  END IF;
  IF v_country IS NULL AND v_area IS NULL THEN
    RAISE EXCEPTION 'Say where the person moved from: a country or a previous area.' USING ERRCODE = 'check_violation';
  END IF;
  INSERT INTO ims.person_arrival (person_id, arrived_on, from_country, from_area)
  VALUES (p_person_id, p_arrived_on, v_country, v_area)
  ON CONFLICT (person_id) DO UPDATE
    SET arrived_on = EXCLUDED.arrived_on, from_country = EXCLUDED.from_country, from_area = EXCLUDED.from_area,
        recorded_by = session_user, recorded_at = now();
END
$$;

REVOKE EXECUTE ON FUNCTION api.person_arrival(bigint, text), api.person_arrival_set(bigint, date, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.person_arrival(bigint, text), api.person_arrival_set(bigint, date, text, text)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;

-- A DTaP/IPV/Hib (5-in-1) dose, as many countries give instead of the 6-in-1, so a dose from an
-- overseas record is entered with what it protects against (the catch-up plan counts it as one
-- of the primary doses). The product itself is rarely known: a local code, manufacturer unknown.
INSERT INTO ims.vaccine_product (code, code_status, name, short_name, manufacturer, vaccine_type,
                                 default_route_code, default_route_term, default_dose_amount, dose_unit_code, dose_unit_term)
VALUES ('LOCAL-DTAP-IPV-HIB', 'LOCAL', 'DTaP/IPV/Hib (5-in-1) vaccine, product not known (overseas or historical record)',
        'DTaP/IPV/Hib', 'Not known', '5-in-1', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre');
INSERT INTO ims.product_antigen (product_code, antigen_code)
SELECT 'LOCAL-DTAP-IPV-HIB', a FROM unnest(ARRAY['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO', 'HIB']) a;
