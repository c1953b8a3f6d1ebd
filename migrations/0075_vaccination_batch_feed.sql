-- NHS vaccination batch files (v5) as a kind of the import pipeline (0039): each row is a
-- vaccination event sent by another service, keyed by the sender's UNIQUE_ID and UNIQUE_ID_URI.
--   * NEW records an event; on an identifier that is live it is an error.
--   * UPDATE records a correction of the live event (the old version becomes SUPERSEDED).
--   * DELETE marks the live event entered in error; a later NEW reinstates the identifier.
--   * UPDATE or DELETE of an identifier that is not live is an error.
--   * Rows for one identifier in one file are checked and applied in row order.
-- The person is matched by NHS number and date of birth, within the importer's scope; the hook
-- ims.feed_vaccination_match_people lets demographic matching (exchange) take the rows left.
-- The acknowledgements (InfAck, BusAck) are written by the application from
-- api.feed_vaccination_ack; the rejected rows' sender keys are kept for them.

-- SNOMED CT sites and routes the register records: the database's copy of the vocabulary
-- (main-api/shared/vocabulary/sites.ts; a test compares them).
CREATE TABLE ims.snomed_site (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{6,18}$'),
  term text NOT NULL
);
CREATE TABLE ims.snomed_route (
  code text PRIMARY KEY CHECK (code ~ '^[0-9]{6,18}$'),
  term text NOT NULL
);
INSERT INTO ims.snomed_site (code, term) VALUES
  ('368208006', 'Left upper arm structure'), ('368209003', 'Right upper arm structure'),
  ('61396006', 'Left thigh structure'), ('11207009', 'Right thigh structure'),
  ('279549004', 'Nasal cavity structure'), ('123851003', 'Mouth region structure');
INSERT INTO ims.snomed_route (code, term) VALUES
  ('78421000', 'Intramuscular route'), ('34206005', 'Subcutaneous route'), ('372464004', 'Intradermal route'),
  ('46713006', 'Nasal route'), ('26643006', 'Oral route');
GRANT SELECT ON ims.snomed_site, ims.snomed_route TO ims_administrator, ims_coordinator, ims_child_health,
  ims_occupational_health, ims_analyst;

-- An event entered in error never happened: its source identity is free again, so the sender
-- may reinstate it (a NEW after a DELETE). One ACTIVE version per identity, as before.
DROP INDEX ims.vaccination_event_source_key;
CREATE UNIQUE INDEX vaccination_event_source_key ON ims.vaccination_event (person_id, source_system, source_id)
  WHERE status = 'ACTIVE';

-- The sender's key and the latest version of its event (ACTIVE, or ENTERED_IN_ERROR after a
-- DELETE). The key is national, not per person, so a resend finds it whoever the row names.
CREATE TABLE ims.vaccination_feed_key (
  unique_id_uri text NOT NULL,
  unique_id     text NOT NULL,
  event_id      bigint NOT NULL REFERENCES ims.vaccination_event (id),
  import_id     bigint NOT NULL REFERENCES ims.feed_import (id),
  PRIMARY KEY (unique_id_uri, unique_id)
);
CREATE INDEX vaccination_feed_key_event_idx ON ims.vaccination_feed_key (event_id);
REVOKE ALL ON ims.vaccination_feed_key FROM PUBLIC;
ALTER TABLE ims.vaccination_feed_key ENABLE ROW LEVEL SECURITY;
SELECT audit.attach('ims.vaccination_feed_key');

-- The sender's key of each rejected row (UNIQUE_ID^UNIQUE_ID_URI), for the BusAck.
CREATE TABLE ims.feed_reject_local_id (
  import_id bigint NOT NULL REFERENCES ims.feed_import (id),
  row_no    integer NOT NULL,
  local_id  text NOT NULL,
  PRIMARY KEY (import_id, row_no)
);
REVOKE ALL ON ims.feed_reject_local_id FROM PUBLIC;
ALTER TABLE ims.feed_reject_local_id ENABLE ROW LEVEL SECURITY;

-- A real date written YYYYMMDD, or NULL.
CREATE FUNCTION ims.feed_ymd(s text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN s ~ '^[0-9]{8}$' THEN ims.feed_date(substr(s, 1, 4) || '-' || substr(s, 5, 2) || '-' || substr(s, 7, 2)) END
$$;

-- DATE_AND_TIME: YYYYMMDDThhmmss, then 00 (UTC), 01 (BST, UTC+1) or nothing (time in England).
CREATE FUNCTION ims.feed_v5_instant(s text) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN s ~ '^[0-9]{8}T([01][0-9]|2[0-3])[0-5][0-9][0-5][0-9](00|01)?$' AND ims.feed_ymd(left(s, 8)) IS NOT NULL THEN
    CASE substr(s, 16, 2)
      WHEN '00' THEN (ims.feed_ymd(left(s, 8)) + make_interval(hours => substr(s, 10, 2)::int, mins => substr(s, 12, 2)::int,
                                                              secs => substr(s, 14, 2)::int)) AT TIME ZONE 'UTC'
      WHEN '01' THEN (ims.feed_ymd(left(s, 8)) + make_interval(hours => substr(s, 10, 2)::int - 1, mins => substr(s, 12, 2)::int,
                                                              secs => substr(s, 14, 2)::int)) AT TIME ZONE 'UTC'
      ELSE (ims.feed_ymd(left(s, 8)) + make_interval(hours => substr(s, 10, 2)::int, mins => substr(s, 12, 2)::int,
                                                    secs => substr(s, 14, 2)::int)) AT TIME ZONE 'Europe/London'
    END END
$$;

-- Hook for matching the people the NHS number did not: called with pg_temp.feed_vx_rows, whose
-- rows with person_id NULL are unmatched (no NHS number, not on the register, out of scope, or
-- a date of birth that disagrees). Demographic matching may set person_id (a person the caller
-- may see) or queue the row for review; rows still unmatched afterwards are rejected. This
-- default matches no one: redefine it (CREATE OR REPLACE, same signature) to connect a matcher.
CREATE FUNCTION ims.feed_vaccination_match_people(p_import_id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.feed_vaccination_match_people(bigint) FROM PUBLIC;

CREATE FUNCTION ims.feed_validate_vaccination_batch_v5(p_import_id bigint, p_stage regclass, p_today date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_unscoped boolean := ims.feed_unscoped();
  v_practices text[] := ims.scope_practices();
  v_las text[] := ims.scope_local_authorities();
  v_step integer := 0;
  v_left integer;
BEGIN
  -- Two batch files checked at once could both find an identifier free: they take turns.
  LOCK TABLE ims.vaccination_feed_key IN SHARE ROW EXCLUSIVE MODE;
  DROP TABLE IF EXISTS pg_temp.feed_vx_rows;
  EXECUTE format($f$
    CREATE TEMP TABLE feed_vx_rows ON COMMIT DROP AS
    SELECT s.row_no,
           nullif(btrim(s.nhs_number), '') AS nhs_raw, ims.feed_nhs_number(btrim(s.nhs_number)) AS nhs_number,
           nullif(btrim(s.person_forename), '') AS forename, nullif(btrim(s.person_surname), '') AS surname,
           nullif(btrim(s.person_dob), '') AS dob_raw, ims.feed_ymd(btrim(s.person_dob)) AS dob,
           nullif(btrim(s.person_gender_code), '') AS gender, nullif(btrim(s.person_postcode), '') AS postcode,
           nullif(btrim(s.date_and_time), '') AS at_raw, ims.feed_v5_instant(btrim(s.date_and_time)) AS occurred_at,
           upper(nullif(btrim(s.site_code), '')) AS org_code, nullif(btrim(s.site_code_type_uri), '') AS org_uri,
           nullif(btrim(s.unique_id), '') AS unique_id, nullif(btrim(s.unique_id_uri), '') AS unique_id_uri,
           upper(nullif(btrim(s.action_flag), '')) AS action,
           nullif(concat_ws(' ', nullif(btrim(s.performing_professional_forename), ''),
                            nullif(btrim(s.performing_professional_surname), '')), '') AS performer,
           nullif(btrim(s.recorded_date), '') AS recorded_raw, ims.feed_ymd(btrim(s.recorded_date)) AS recorded_on,
           upper(nullif(btrim(s.primary_source), '')) AS primary_raw,
           nullif(btrim(s.vaccination_procedure_code), '') AS procedure_code,
           nullif(btrim(s.dose_sequence), '') AS dose_raw,
           nullif(btrim(s.vaccine_product_code), '') AS product_code,
           nullif(btrim(s.batch_number), '') AS batch_number,
           nullif(btrim(s.expiry_date), '') AS expiry_raw, ims.feed_ymd(btrim(s.expiry_date)) AS expiry_date,
           nullif(btrim(s.site_of_vaccination_code), '') AS body_site, nullif(btrim(s.route_of_vaccination_code), '') AS route,
           nullif(btrim(s.dose_amount), '') AS amount_raw,
           nullif(btrim(s.dose_unit_code), '') AS unit_code, nullif(btrim(s.dose_unit_term), '') AS unit_term,
           upper(nullif(btrim(s.location_code), '')) AS location_code, nullif(btrim(s.location_code_type_uri), '') AS location_uri,
           NULL::bigint AS person_id, NULL::text AS programme_code, NULL::integer AS step
    FROM %s s WHERE s.parse_error IS NULL$f$, p_stage);

  -- People: the NHS number's record, if its date of birth agrees and the caller may see it.
  UPDATE feed_vx_rows r SET person_id = p.id
    FROM ims.person p
   WHERE p.nhs_number = r.nhs_number AND p.date_of_birth = r.dob
     AND (v_unscoped OR p.practice_code = ANY (v_practices) OR p.la_code = ANY (v_las));
  PERFORM ims.feed_vaccination_match_people(p_import_id);

  -- Each field on its own: the row, the file's column name and the reason.
  INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
  SELECT p_import_id, r.row_no, c.field, c.reason
  FROM feed_vx_rows r
  LEFT JOIN ims.person p ON p.nhs_number = r.nhs_number
                        AND (v_unscoped OR p.practice_code = ANY (v_practices) OR p.la_code = ANY (v_las))
  CROSS JOIN LATERAL (SELECT (r.occurred_at AT TIME ZONE 'Europe/London')::date AS on_date) d
  CROSS JOIN LATERAL (VALUES
    (r.person_id IS NULL AND r.nhs_raw IS NULL, 'NHS_NUMBER', 'No NHS number: the person cannot be matched.'),
    (r.nhs_raw IS NOT NULL AND r.nhs_number IS NULL, 'NHS_NUMBER', 'The NHS number is not valid (10 digits with a correct check digit).'),
    (r.person_id IS NULL AND r.nhs_number IS NOT NULL AND p.id IS NULL, 'NHS_NUMBER',
     'This NHS number is not on the register, or is not available to you: the person cannot be matched.'),
    (r.person_id IS NULL AND p.id IS NOT NULL AND r.dob IS NOT NULL AND p.date_of_birth <> r.dob, 'PERSON_DOB',
     'The date of birth does not agree with the register for this NHS number: the person cannot be matched.'),
    (r.forename IS NULL, 'PERSON_FORENAME', 'A forename is required.'),
    (r.surname IS NULL, 'PERSON_SURNAME', 'A surname is required.'),
    (length(r.surname) > 35, 'PERSON_SURNAME', 'The surname is at most 35 characters.'),
    (r.dob_raw IS NULL, 'PERSON_DOB', 'A date of birth is required.'),
    (r.dob_raw IS NOT NULL AND r.dob IS NULL, 'PERSON_DOB', 'The date of birth is not a real date written YYYYMMDD.'),
    (r.dob > p_today, 'PERSON_DOB', 'The date of birth is in the future.'),
    (r.gender IS NULL, 'PERSON_GENDER_CODE', 'A gender code is required.'),
    (r.gender NOT IN ('0', '1', '2', '9'), 'PERSON_GENDER_CODE', 'The gender code is 0, 1, 2 or 9.'),
    (r.postcode IS NULL, 'PERSON_POSTCODE', 'A postcode is required.'),
    (r.at_raw IS NULL, 'DATE_AND_TIME', 'The date and time of vaccination are required.'),
    (r.at_raw IS NOT NULL AND r.occurred_at IS NULL, 'DATE_AND_TIME',
     'The date and time are not a real moment written YYYYMMDDThhmmss, optionally followed by 00 (UTC) or 01 (BST).'),
    (d.on_date > p_today, 'DATE_AND_TIME', 'The date of vaccination is in the future.'),
    (d.on_date < r.dob, 'DATE_AND_TIME', 'The date of vaccination is before the date of birth.'),
    (r.org_code IS NULL, 'SITE_CODE', 'The code of the organisation responsible is required.'),
    (r.org_uri IS NULL, 'SITE_CODE_TYPE_URI', 'The type of SITE_CODE is required.'),
    (r.unique_id IS NULL, 'UNIQUE_ID', 'The sender''s UNIQUE_ID is required.'),
    (length(r.unique_id) > 200, 'UNIQUE_ID', 'UNIQUE_ID is at most 200 characters.'),
    (r.unique_id_uri IS NULL, 'UNIQUE_ID_URI', 'UNIQUE_ID_URI is required.'),
    (length(r.unique_id_uri) > 200, 'UNIQUE_ID_URI', 'UNIQUE_ID_URI is at most 200 characters.'),
    (r.action IS NULL, 'ACTION_FLAG', 'ACTION_FLAG is required: NEW, UPDATE or DELETE.'),
    (r.action NOT IN ('NEW', 'UPDATE', 'DELETE'), 'ACTION_FLAG', 'ACTION_FLAG is NEW, UPDATE or DELETE.'),
    (r.recorded_raw IS NULL, 'RECORDED_DATE', 'The recorded date is required.'),
    (r.recorded_raw IS NOT NULL AND r.recorded_on IS NULL, 'RECORDED_DATE', 'The recorded date is not a real date written YYYYMMDD.'),
    (r.recorded_on > p_today, 'RECORDED_DATE', 'The recorded date is in the future.'),
    (r.primary_raw IS NULL, 'PRIMARY_SOURCE', 'PRIMARY_SOURCE is required: TRUE or FALSE.'),
    (r.primary_raw NOT IN ('TRUE', 'FALSE'), 'PRIMARY_SOURCE', 'PRIMARY_SOURCE is TRUE or FALSE.'),
    (r.procedure_code IS NULL, 'VACCINATION_PROCEDURE_CODE', 'The vaccination procedure code is required.'),
    (r.procedure_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ims.product_procedure pp WHERE pp.code = r.procedure_code),
     'VACCINATION_PROCEDURE_CODE', 'Unknown vaccination procedure code ' || left(r.procedure_code, 20) || '.'),
    (r.dose_raw !~ '^[1-9]$', 'DOSE_SEQUENCE', 'DOSE_SEQUENCE is a number from 1 to 9, or empty.'),
    (r.product_code IS NULL, 'VACCINE_PRODUCT_CODE', 'The vaccine product code is required: the register records the product of every dose.'),
    (r.product_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ims.vaccine_product vp WHERE vp.code = r.product_code),
     'VACCINE_PRODUCT_CODE', 'Unknown vaccine product code ' || left(r.product_code, 20) || '.'),
    (r.expiry_raw IS NOT NULL AND r.expiry_date IS NULL, 'EXPIRY_DATE', 'The expiry date is not a real date written YYYYMMDD.'),
    (r.expiry_date < d.on_date, 'EXPIRY_DATE', 'The vaccine had expired on the date of vaccination.'),
    (r.primary_raw = 'TRUE' AND r.batch_number IS NULL, 'BATCH_NUMBER', 'A dose given by the sender (PRIMARY_SOURCE TRUE) needs its batch number.'),
    (r.primary_raw = 'TRUE' AND r.expiry_raw IS NULL, 'EXPIRY_DATE', 'A dose given by the sender (PRIMARY_SOURCE TRUE) needs its expiry date.'),
    (length(r.batch_number) > 100, 'BATCH_NUMBER', 'The batch number is at most 100 characters.'),
    (r.body_site IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ims.snomed_site s WHERE s.code = r.body_site),
     'SITE_OF_VACCINATION_CODE', 'Unknown site of vaccination code ' || left(r.body_site, 20) || '.'),
    (r.route IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ims.snomed_route s WHERE s.code = r.route),
     'ROUTE_OF_VACCINATION_CODE', 'Unknown route of vaccination code ' || left(r.route, 20) || '.'),
    (r.amount_raw !~ '^[0-9]{1,4}(\.[0-9]{1,3})?$' OR r.amount_raw ~ '^0+(\.0*)?$', 'DOSE_AMOUNT', 'DOSE_AMOUNT is a number above 0 with at most 3 decimals.'),
    (r.amount_raw IS NOT NULL AND r.unit_code IS NULL, 'DOSE_UNIT_CODE', 'A dose amount needs its unit code.'),
    (r.location_code IS NULL, 'LOCATION_CODE', 'The location code is required.'),
    (r.location_uri IS NULL, 'LOCATION_CODE_TYPE_URI', 'The type of LOCATION_CODE is required.'),
    (r.location_uri NOT IN ('https://fhir.nhs.uk/Id/ods-organization-code', 'https://fhir.hl7.org.uk/Id/urn-school-number'),
     'LOCATION_CODE_TYPE_URI', 'LOCATION_CODE_TYPE_URI is the ODS organisation code or the school URN system.')
  ) AS c(bad, field, reason)
  WHERE c.bad;

  -- The programme the dose belongs to: the season's flu or COVID-19 programme on its date,
  -- otherwise by age at vaccination (under 10 routine childhood, under 19 school-aged, adult).
  UPDATE feed_vx_rows r SET programme_code = x.code
    FROM (SELECT q.row_no,
                 (SELECT pr.code FROM ims.programme pr
                  WHERE CASE WHEN vp.vaccine_type ILIKE 'flu%' THEN pr.kind = 'SEASONAL_FLU'
                             WHEN vp.vaccine_type ILIKE 'covid%' THEN pr.kind = 'COVID19'
                             ELSE pr.code = CASE WHEN age(q.on_date, p.date_of_birth) < interval '10 years' THEN 'ROUTINE_CHILDHOOD'
                                                 WHEN age(q.on_date, p.date_of_birth) < interval '19 years' THEN 'SCHOOL_AGED'
                                                 ELSE 'ADULT' END END
                    AND (pr.kind NOT IN ('SEASONAL_FLU', 'COVID19') OR q.on_date BETWEEN pr.start_date AND coalesce(pr.end_date, 'infinity'))
                  ORDER BY pr.start_date DESC NULLS LAST LIMIT 1) AS code
          FROM (SELECT r2.row_no, r2.product_code, r2.person_id, (r2.occurred_at AT TIME ZONE 'Europe/London')::date AS on_date
                FROM feed_vx_rows r2
                WHERE r2.occurred_at IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM ims.feed_reject j WHERE j.import_id = p_import_id AND j.row_no = r2.row_no)) q
          JOIN ims.vaccine_product vp ON vp.code = q.product_code
          JOIN ims.person p ON p.id = q.person_id) x
   WHERE x.row_no = r.row_no;
  INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
  SELECT p_import_id, r.row_no, 'VACCINE_PRODUCT_CODE', 'No programme of this register covers this vaccine on the date of vaccination.'
  FROM feed_vx_rows r
  WHERE r.programme_code IS NULL
    AND NOT EXISTS (SELECT 1 FROM ims.feed_reject j WHERE j.import_id = p_import_id AND j.row_no = r.row_no);

  -- The national rules on the sender's identifier, row by row in file order per identifier: a
  -- step takes each identifier's next sound row, so every step is one set-based statement.
  DROP TABLE IF EXISTS pg_temp.feed_vx_state;
  CREATE TEMP TABLE feed_vx_state ON COMMIT DROP AS
  SELECT DISTINCT ON (r.unique_id_uri, r.unique_id) r.unique_id_uri, r.unique_id,
         CASE e.status WHEN 'ACTIVE' THEN 'LIVE' WHEN 'ENTERED_IN_ERROR' THEN 'DELETED' ELSE 'ABSENT' END AS state,
         e.person_id, NULL::integer AS by_row
  FROM feed_vx_rows r
  LEFT JOIN ims.vaccination_feed_key k ON k.unique_id_uri = r.unique_id_uri AND k.unique_id = r.unique_id
  LEFT JOIN ims.vaccination_event e ON e.id = k.event_id
  WHERE r.unique_id IS NOT NULL AND r.unique_id_uri IS NOT NULL;
  CREATE UNIQUE INDEX ON feed_vx_state (unique_id_uri, unique_id);
  DELETE FROM feed_vx_rows r USING ims.feed_reject j WHERE j.import_id = p_import_id AND j.row_no = r.row_no;

  LOOP
    v_step := v_step + 1;
    DROP TABLE IF EXISTS pg_temp.feed_vx_next;
    CREATE TEMP TABLE feed_vx_next ON COMMIT DROP AS
    SELECT DISTINCT ON (r.unique_id_uri, r.unique_id) r.row_no, r.unique_id_uri, r.unique_id, r.action, r.person_id,
           s.state, s.person_id AS key_person, s.by_row
    FROM feed_vx_rows r JOIN feed_vx_state s USING (unique_id_uri, unique_id)
    WHERE r.step IS NULL
    ORDER BY r.unique_id_uri, r.unique_id, r.row_no;
    GET DIAGNOSTICS v_left = ROW_COUNT;
    EXIT WHEN v_left = 0;

    INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
    SELECT p_import_id, n.row_no, 'ACTION_FLAG',
           CASE WHEN n.action = 'NEW' THEN 'NEW for an identifier (UNIQUE_ID and UNIQUE_ID_URI) that is already live'
                WHEN n.state = 'DELETED' THEN n.action || ' of an identifier that was deleted (send NEW to reinstate it)'
                ELSE n.action || ' of an identifier (UNIQUE_ID and UNIQUE_ID_URI) that is not known' END
           || CASE WHEN n.by_row IS NOT NULL THEN format(' (after row %s of this file).', n.by_row) ELSE '.' END
    FROM feed_vx_next n
    WHERE (n.action = 'NEW' AND n.state = 'LIVE') OR (n.action <> 'NEW' AND n.state <> 'LIVE');
    INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
    SELECT p_import_id, n.row_no, 'NHS_NUMBER',
           'The event with this identifier is for another person: DELETE it and send NEW for the right person.'
    FROM feed_vx_next n
    WHERE n.action <> 'NEW' AND n.state = 'LIVE' AND n.key_person IS DISTINCT FROM n.person_id;

    UPDATE feed_vx_rows r SET step = CASE WHEN j.row_no IS NULL THEN v_step ELSE 0 END
      FROM feed_vx_next n LEFT JOIN ims.feed_reject j ON j.import_id = p_import_id AND j.row_no = n.row_no
     WHERE r.row_no = n.row_no;
    UPDATE feed_vx_state s
       SET state = CASE WHEN n.action = 'DELETE' THEN 'DELETED' ELSE 'LIVE' END, person_id = n.person_id, by_row = n.row_no
      FROM feed_vx_next n JOIN feed_vx_rows r ON r.row_no = n.row_no AND r.step = v_step
     WHERE s.unique_id_uri = n.unique_id_uri AND s.unique_id = n.unique_id;
  END LOOP;
  DELETE FROM feed_vx_rows WHERE step = 0;

  -- The sender's key of every rejected row, for the acknowledgement.
  EXECUTE format($f$
    INSERT INTO ims.feed_reject_local_id (import_id, row_no, local_id)
    SELECT $1, s.row_no, coalesce(btrim(s.unique_id), '') || '^' || coalesce(btrim(s.unique_id_uri), '')
    FROM %s s WHERE s.row_no IN (SELECT j.row_no FROM ims.feed_reject j WHERE j.import_id = $1)
      AND (s.unique_id IS NOT NULL OR s.unique_id_uri IS NOT NULL)$f$, p_stage) USING p_import_id;
END
$$;

CREATE FUNCTION ims.feed_apply_vaccination_batch_v5(p_import_id bigint, p_stage regclass, p_today date) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_rows integer;
  v_added integer := 0;
  v_updated integer := 0;
  v_deleted integer := 0;
  v_n integer;
  v_step integer;
BEGIN
  SELECT count(*) INTO v_rows FROM feed_vx_rows;
  FOR v_step IN SELECT DISTINCT step FROM feed_vx_rows ORDER BY step LOOP
    -- DELETE: the live event is entered in error; the key keeps pointing at it.
    UPDATE ims.vaccination_event e
       SET status = 'ENTERED_IN_ERROR', status_reason = format('Deleted by the sender (import %s, row %s).', p_import_id, r.row_no)
      FROM feed_vx_rows r JOIN ims.vaccination_feed_key k ON k.unique_id_uri = r.unique_id_uri AND k.unique_id = r.unique_id
     WHERE r.step = v_step AND r.action = 'DELETE' AND e.id = k.event_id AND e.status = 'ACTIVE';
    GET DIAGNOSTICS v_n = ROW_COUNT;
    v_deleted := v_deleted + v_n;

    -- NEW and UPDATE: a new event; an UPDATE supersedes the live one (the insert trigger).
    WITH ins AS (
      INSERT INTO ims.vaccination_event (
        person_id, programme_code, outcome, occurred_at, occurred_on, dose_sequence, product_code, batch_number, expiry_date,
        site_code, site_term, route_code, route_term, dose_amount, dose_unit_code, dose_unit_term, performer_name,
        location_code, location_type, organisation_code, primary_source, source_system, source_id, notes,
        supersedes_id, change_reason)
      SELECT r.person_id, r.programme_code, 'GIVEN', r.occurred_at, (r.occurred_at AT TIME ZONE 'Europe/London')::date,
             r.dose_raw::smallint, r.product_code, r.batch_number, r.expiry_date,
             st.code, st.term, rt.code, rt.term, r.amount_raw::numeric, CASE WHEN r.amount_raw IS NOT NULL THEN r.unit_code END,
             CASE WHEN r.amount_raw IS NOT NULL THEN coalesce(r.unit_term, r.unit_code) END, left(r.performer, 200),
             r.location_code, CASE WHEN r.location_uri LIKE '%urn-school-number' THEN 'URN' ELSE 'ODS' END,
             o.code, r.primary_raw = 'TRUE', r.unique_id_uri, r.unique_id,
             format('NHS vaccination batch file: import %s, row %s.', p_import_id, r.row_no),
             CASE WHEN r.action = 'UPDATE' THEN k.event_id END,
             CASE WHEN r.action = 'UPDATE' THEN format('Updated by the sender (import %s, row %s).', p_import_id, r.row_no) END
      FROM feed_vx_rows r
      LEFT JOIN ims.vaccination_feed_key k ON k.unique_id_uri = r.unique_id_uri AND k.unique_id = r.unique_id
      LEFT JOIN ims.snomed_site st ON st.code = r.body_site
      LEFT JOIN ims.snomed_route rt ON rt.code = r.route
      LEFT JOIN ims.organisation o ON o.code = r.org_code
      WHERE r.step = v_step AND r.action IN ('NEW', 'UPDATE')
      RETURNING id, source_system, source_id, supersedes_id
    ), keyed AS (
      INSERT INTO ims.vaccination_feed_key (unique_id_uri, unique_id, event_id, import_id)
      SELECT source_system, source_id, id, p_import_id FROM ins
      ON CONFLICT (unique_id_uri, unique_id) DO UPDATE SET event_id = EXCLUDED.event_id, import_id = EXCLUDED.import_id
      RETURNING 1
    )
    SELECT count(*) FILTER (WHERE supersedes_id IS NULL), count(*) FILTER (WHERE supersedes_id IS NOT NULL) INTO v_n, v_rows
    FROM ins;
    v_added := v_added + v_n;
    v_updated := v_updated + v_rows;
  END LOOP;
  SELECT count(*) INTO v_rows FROM feed_vx_rows;
  RETURN jsonb_build_object('applied', v_rows, 'added', v_added, 'updated', v_updated, 'deleted', v_deleted);
END
$$;

REVOKE EXECUTE ON FUNCTION ims.feed_validate_vaccination_batch_v5(bigint, regclass, date),
  ims.feed_apply_vaccination_batch_v5(bigint, regclass, date) FROM PUBLIC;

-- What the acknowledgements need of one of the caller's imports (administrators: anyone's):
-- the outcome, the counts, and each rejected row with its sender key and reasons.
CREATE FUNCTION api.feed_vaccination_ack(p_import_id bigint) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.require_feed_importer();
  IF NOT EXISTS (SELECT 1 FROM ims.feed_import i WHERE i.id = p_import_id AND i.kind = 'vaccination-batch-v5'
                 AND (ims.feed_unscoped() OR i.imported_by = session_user::text)) THEN
    RAISE EXCEPTION 'There is no vaccination batch import % of yours.', p_import_id USING ERRCODE = 'no_data_found';
  END IF;
  RETURN ims.feed_summary(p_import_id) || jsonb_build_object(
    'receivedAt', (SELECT to_char(i.started_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"00"') FROM ims.feed_import i WHERE i.id = p_import_id),
    'failures', coalesce((
      SELECT jsonb_agg(jsonb_build_object('row', f.row_no, 'localId', l.local_id, 'reason', f.reason) ORDER BY f.row_no)
      FROM (SELECT j.row_no, string_agg(coalesce(j.field || ': ', '') || j.reason, ' ' ORDER BY j.field NULLS FIRST, j.reason) AS reason
            FROM ims.feed_reject j WHERE j.import_id = p_import_id GROUP BY j.row_no) f
      LEFT JOIN ims.feed_reject_local_id l ON l.import_id = p_import_id AND l.row_no = f.row_no), '[]'));
END
$$;
REVOKE EXECUTE ON FUNCTION api.feed_vaccination_ack(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.feed_vaccination_ack(bigint) TO ims_administrator, ims_coordinator, ims_child_health;

INSERT INTO ims.feed_kind (code, label, columns, validate_fn, apply_fn) VALUES
  ('vaccination-batch-v5', 'NHS vaccination batch file (v5)',
   ARRAY['nhs_number', 'person_forename', 'person_surname', 'person_dob', 'person_gender_code', 'person_postcode',
         'date_and_time', 'site_code', 'site_code_type_uri', 'unique_id', 'unique_id_uri', 'action_flag',
         'performing_professional_forename', 'performing_professional_surname', 'recorded_date', 'primary_source',
         'vaccination_procedure_code', 'vaccination_procedure_term', 'dose_sequence', 'vaccine_product_code',
         'vaccine_product_term', 'vaccine_manufacturer', 'batch_number', 'expiry_date', 'site_of_vaccination_code',
         'site_of_vaccination_term', 'route_of_vaccination_code', 'route_of_vaccination_term', 'dose_amount',
         'dose_unit_code', 'dose_unit_term', 'indication_code', 'location_code', 'location_code_type_uri'],
   'ims.feed_validate_vaccination_batch_v5', 'ims.feed_apply_vaccination_batch_v5');
