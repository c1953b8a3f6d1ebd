-- Issue 12, the rest of "Feeds and exchange":
--   1. NHS vaccination batch files (v5): rows sent without an NHS number are matched on their
--      demographics by the exchange matcher (ims.match_people, 0040). A certain match the
--      importer may see is attached; a doubtful one (twins included) waits, unattached, in the
--      exchange review queue, where a reviewer accepts it for a person or rejects it; with no
--      plausible candidate at all the row is rejected as before. Rows WITH an NHS number are matched by it
--      alone, as before: the number is the national identifier, and a number that disagrees with
--      the register goes back to the sender in the BusAck rather than to a reviewer here.
--   2. Vaccination procedure codes for the products of the schedule.
--   3. Person search by an NHS number finds the person who had it before it was superseded.
--   4. Two imports of one identical file at once: the second waits for the first, then answers
--      "already applied".

-- ---------------------------------------------------------------------------------------
-- 2. SNOMED CT vaccination procedure codes, per vaccine type (every product of the type).
-- Codes marked (check) in the comment beside them could not be confirmed against the domain
-- reference or a published national source; check them against the NHS terminology browser
-- before relying on them for export. The import accepts any code of the table.
INSERT INTO ims.product_procedure (product_code, applies_to, code, term)
SELECT p.code, x.applies_to, x.code, x.term
FROM ims.vaccine_product p
JOIN (VALUES
  -- 6-in-1 (DTaP/IPV/Hib/HepB): UK first-dose code (check); any dose: the international concept (check).
  ('6-in-1', 'DOSE_1', '1082441000000108', 'First diphtheria, tetanus and acellular pertussis, inactivated polio, Haemophilus influenzae type b and hepatitis B vaccination'),
  ('6-in-1', 'OTHER', '1162640003', 'Administration of vaccine product containing only acellular Bordetella pertussis and Clostridium tetani and Corynebacterium diphtheriae and Haemophilus influenzae type b and Hepatitis B virus and inactivated Human poliovirus antigens'),
  -- 5-in-1 (DTaP/IPV/Hib: doses given before the 6-in-1, recorded for movers in) (check).
  ('5-in-1', 'OTHER', '414259000', 'Administration of vaccine product containing only acellular Bordetella pertussis and Clostridium tetani and Corynebacterium diphtheriae and Haemophilus influenzae type b and inactivated Human poliovirus antigens'),
  -- 4-in-1 pre-school booster (DTaP/IPV) (check).
  ('4-in-1', 'OTHER', '247821000000102', 'Booster diphtheria, tetanus, acellular pertussis and inactivated polio vaccination'),
  -- MenB: first, second (confirmed: national vaccination service's published codes); booster under OTHER.
  ('MenB', 'DOSE_1', '720539004', 'Administration of first dose of vaccine product containing only Neisseria meningitidis serogroup B antigen'),
  ('MenB', 'DOSE_2', '720540002', 'Administration of second dose of vaccine product containing only Neisseria meningitidis serogroup B antigen'),
  ('MenB', 'OTHER', '720544006', 'Administration of booster dose of vaccine product containing only Neisseria meningitidis serogroup B antigen'),
  -- PCV (check).
  ('PCV', 'DOSE_1', '247631000000101', 'First pneumococcal conjugated vaccination'),
  -- Rotavirus: first (check); any dose (check).
  ('Rotavirus', 'DOSE_1', '868631000000102', 'First rotavirus vaccination'),
  ('Rotavirus', 'OTHER', '415354003', 'Administration of vaccine product containing only Rotavirus antigen'),
  -- Hib/MenC booster (check).
  ('Hib/MenC', 'OTHER', '428975001', 'Administration of vaccine product containing only Haemophilus influenzae type b and Neisseria meningitidis serogroup C antigens'),
  -- COVID-19: first and second dose (confirmed: the national API's examples).
  ('COVID-19 (mRNA)', 'DOSE_1', '1324681000000101', 'Administration of first dose of severe acute respiratory syndrome coronavirus 2 vaccine'),
  ('COVID-19 (mRNA)', 'DOSE_2', '1324691000000104', 'Administration of second dose of severe acute respiratory syndrome coronavirus 2 vaccine'),
  -- Shingles: any dose (check), second dose (check).
  ('Shingles', 'OTHER', '722215002', 'Administration of vaccine product containing only Human alphaherpesvirus 3 antigen for shingles'),
  ('Shingles', 'DOSE_2', '1326111000000107', 'Administration of second dose of vaccine product containing only Human alphaherpesvirus 3 antigen for shingles'),
  -- Pneumococcal polysaccharide (PPV23) (check).
  ('PPV23', 'OTHER', '12866006', 'Administration of vaccine product containing only Streptococcus pneumoniae antigen'),
  -- BCG (confirmed: the international concept, as published by national guides).
  ('BCG', 'OTHER', '42284007', 'Administration of vaccine product containing only live attenuated Mycobacterium bovis antigen'),
  -- Hepatitis B: first dose (check); booster under OTHER (check).
  ('Hepatitis B', 'DOSE_1', '170370000', 'Administration of first dose of vaccine product containing only Hepatitis B virus antigen'),
  ('Hepatitis B', 'OTHER', '170373003', 'Administration of booster dose of vaccine product containing only Hepatitis B virus antigen')
) AS x(vaccine_type, applies_to, code, term) ON x.vaccine_type = p.vaccine_type
ON CONFLICT (product_code, applies_to) DO NOTHING;

-- ---------------------------------------------------------------------------------------
-- 1. Demographic matching of batch file rows.

-- A review item that came from a batch file remembers the import and row: accepting it records
-- the event under the sender's key (ims.vaccination_feed_key), so later UPDATE and DELETE rows
-- of the sender find it, as for any other row of a file.
-- (The import and row columns came with the class lists' items, 0077.)
ALTER TABLE ims.exchange_review
  ADD CONSTRAINT exchange_review_row_no CHECK (row_no > 0),
  ADD CONSTRAINT exchange_review_import_row CHECK ((import_id IS NULL) = (row_no IS NULL));

-- Rows whose NHS number was superseded reach the person who has it now. Rows left unmatched by
-- NHS number (pg_temp.feed_vx_rows, person_id NULL) that were sent WITHOUT one are matched on name, date of birth, gender and postcode over the whole register
-- (a candidate outside the importer's scope still stops an automatic match, as in the FHIR
-- import). A certain match (0040's rule: never twins, never with a rival) that the importer
-- may see is attached. A NEW row with any plausible candidate (50 points or more) but no
-- certain one waits for review: review_reason is set, and the apply queues it. DELETE of an
-- identifier that waits for review needs no person: it withdraws what waits (WITHDRAW); an
-- UPDATE of one is refused by the identifier's rules (PENDING).
CREATE OR REPLACE FUNCTION ims.feed_vaccination_match_people(p_import_id bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_unscoped boolean := ims.feed_unscoped();
  v_practices text[] := ims.scope_practices();
  v_las text[] := ims.scope_local_authorities();
BEGIN
  -- An NHS number superseded by the demographic feed (0039's history) is its holder's now:
  -- the person it was replaced for, when the date of birth agrees and the importer may see
  -- them; and a record retired by a merge gives way to its survivor (it keeps its old number).
  UPDATE feed_vx_rows r SET person_id = p.id
    FROM ims.person_nhs_number_history h JOIN ims.person p ON p.id = h.person_id
   WHERE r.person_id IS NULL AND h.nhs_number = r.nhs_number AND p.date_of_birth = r.dob
     AND (v_unscoped OR p.practice_code = ANY (v_practices) OR p.la_code = ANY (v_las));
  UPDATE feed_vx_rows r SET person_id = p.id
    FROM ims.person_merge m JOIN ims.person p ON p.id = m.surviving_person_id
   WHERE m.retired_person_id = r.person_id AND p.date_of_birth = r.dob
     AND (v_unscoped OR p.practice_code = ANY (v_practices) OR p.la_code = ANY (v_las));

  DROP TABLE IF EXISTS pg_temp.feed_vx_match;
  CREATE TEMP TABLE feed_vx_match ON COMMIT DROP AS
  SELECT m.row_no, m.person_id, m.points, m.twin, m.certain
  FROM ims.match_people(ARRAY(
         SELECT ROW(r.row_no, NULL, r.surname, r.forename, r.dob, r.gender, r.postcode)::ims.match_input
         FROM feed_vx_rows r
         WHERE r.person_id IS NULL AND r.nhs_raw IS NULL AND r.dob IS NOT NULL AND r.surname IS NOT NULL
           AND r.forename IS NOT NULL)) m
  WHERE m.points >= 50;

  UPDATE feed_vx_rows r SET person_id = m.person_id
    FROM feed_vx_match m JOIN ims.person p ON p.id = m.person_id
   WHERE m.row_no = r.row_no AND m.certain
     AND (v_unscoped OR p.practice_code = ANY (v_practices) OR p.la_code = ANY (v_las));

  UPDATE feed_vx_rows r
     SET review_reason = CASE WHEN x.twin
           THEN 'No NHS number was sent, and the details sent fit twins (born the same day, at one address or with one surname): choose the person.'
           ELSE 'No NHS number was sent, and the details sent do not pick out one person for certain.' END
    FROM (SELECT m.row_no, bool_or(m.twin) AS twin FROM feed_vx_match m GROUP BY m.row_no) x
   WHERE x.row_no = r.row_no AND r.person_id IS NULL AND r.action = 'NEW';

  -- Rows that refer only to what waits need no person: a DELETE withdraws it, an UPDATE is
  -- refused by the identifier's rules (with the reason).
  UPDATE feed_vx_rows r SET review_reason = CASE r.action WHEN 'DELETE' THEN 'WITHDRAW' ELSE 'PENDING' END
   WHERE r.person_id IS NULL AND r.nhs_raw IS NULL AND r.action IN ('DELETE', 'UPDATE')
     AND EXISTS (SELECT 1 FROM ims.exchange_review q
                 WHERE q.source_system = r.unique_id_uri AND q.source_id = r.unique_id AND q.status = 'PENDING'
                   AND q.import_id IS NOT NULL AND q.item_kind = 'VACCINATION');
END
$$;
REVOKE EXECUTE ON FUNCTION ims.feed_vaccination_match_people(bigint) FROM PUBLIC;

-- The batch file's checks, as 0075, with four changes: a row waiting for review (review_reason,
-- set by the matcher above) is not rejected for want of a person; the programme is found by
-- the date of birth sent; an identifier may be PENDING (waiting for review from an earlier
-- file): NEW replaces what waits, DELETE withdraws it, UPDATE is refused; and an expiry more
-- than 5 years after the vaccination is the row's reject (the event table's check failed the
-- whole import on it).
CREATE OR REPLACE FUNCTION ims.feed_validate_vaccination_batch_v5(p_import_id bigint, p_stage regclass, p_today date) RETURNS void
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
           NULL::bigint AS person_id, NULL::text AS programme_code, NULL::integer AS step,
           -- Why the row waits for review instead (or WITHDRAW: a DELETE of what waits).
           NULL::text AS review_reason
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
    (r.person_id IS NULL AND r.review_reason IS NULL AND r.nhs_raw IS NULL, 'NHS_NUMBER',
     'No NHS number, and the details sent do not match one person you may see for certain: the person cannot be matched.'),
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
    -- The register's own check (0026), here so that such a row is rejected, not the whole file.
    (r.expiry_date > (d.on_date + interval '5 years')::date, 'EXPIRY_DATE',
     'The expiry date is more than 5 years after the date of vaccination.'),
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

  -- The programme the dose belongs to (by the date of birth sent: the matched person's, as the
  -- match requires it; a row waiting for review has no person yet): the season's flu or
  -- COVID-19 programme on its date, otherwise by age at vaccination (under 10 routine
  -- childhood, under 19 school-aged, adult).
  UPDATE feed_vx_rows r SET programme_code = x.code
    FROM (SELECT q.row_no,
                 (SELECT pr.code FROM ims.programme pr
                  WHERE CASE WHEN vp.vaccine_type ILIKE 'flu%' THEN pr.kind = 'SEASONAL_FLU'
                             WHEN vp.vaccine_type ILIKE 'covid%' THEN pr.kind = 'COVID19'
                             ELSE pr.code = CASE WHEN age(q.on_date, q.dob) < interval '10 years' THEN 'ROUTINE_CHILDHOOD'
                                                 WHEN age(q.on_date, q.dob) < interval '19 years' THEN 'SCHOOL_AGED'
                                                 ELSE 'ADULT' END END
                    AND (pr.kind NOT IN ('SEASONAL_FLU', 'COVID19') OR q.on_date BETWEEN pr.start_date AND coalesce(pr.end_date, 'infinity'))
                  ORDER BY pr.start_date DESC NULLS LAST LIMIT 1) AS code
          FROM (SELECT r2.row_no, r2.product_code, r2.dob, (r2.occurred_at AT TIME ZONE 'Europe/London')::date AS on_date
                FROM feed_vx_rows r2
                WHERE r2.occurred_at IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM ims.feed_reject j WHERE j.import_id = p_import_id AND j.row_no = r2.row_no)) q
          JOIN ims.vaccine_product vp ON vp.code = q.product_code) x
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
         CASE WHEN e.status = 'ACTIVE' THEN 'LIVE'
              WHEN EXISTS (SELECT 1 FROM ims.exchange_review q WHERE q.source_system = r.unique_id_uri AND q.source_id = r.unique_id
                             AND q.status = 'PENDING' AND q.import_id IS NOT NULL AND q.item_kind = 'VACCINATION') THEN 'PENDING'
              WHEN e.status = 'ENTERED_IN_ERROR' THEN 'DELETED' ELSE 'ABSENT' END AS state,
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
    SELECT DISTINCT ON (r.unique_id_uri, r.unique_id) r.row_no, r.unique_id_uri, r.unique_id, r.action, r.person_id, r.review_reason,
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
                WHEN n.state = 'PENDING' THEN 'UPDATE of an event that waits for review here (send NEW to replace what waits, or DELETE to withdraw it)'
                ELSE n.action || ' of an identifier (UNIQUE_ID and UNIQUE_ID_URI) that is not known' END
           || CASE WHEN n.by_row IS NOT NULL THEN format(' (after row %s of this file).', n.by_row) ELSE '.' END
    FROM feed_vx_next n
    WHERE (n.action = 'NEW' AND n.state = 'LIVE') OR (n.action = 'UPDATE' AND n.state <> 'LIVE')
       OR (n.action = 'DELETE' AND n.state NOT IN ('LIVE', 'PENDING'))
       -- A row let through without a person (WITHDRAW, PENDING) may act only on what waits.
       OR (n.review_reason IN ('WITHDRAW', 'PENDING') AND n.state <> 'PENDING');
    INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
    SELECT p_import_id, n.row_no, 'NHS_NUMBER',
           CASE WHEN n.key_person IS NULL
                THEN format('The event with this identifier waits for review (row %s of this file): send changes once it is decided.', n.by_row)
                ELSE 'The event with this identifier is for another person: DELETE it and send NEW for the right person.' END
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

-- The apply, as 0075, with rows waiting for review queued (or replaced, or withdrawn).
CREATE OR REPLACE FUNCTION ims.feed_apply_vaccination_batch_v5(p_import_id bigint, p_stage regclass, p_today date) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_rows integer;
  v_added integer := 0;
  v_updated integer := 0;
  v_deleted integer := 0;
  v_n integer;
  v_step integer;
  v_review integer := 0;
  v_withdrawn integer := 0;
BEGIN
  SELECT count(*) INTO v_rows FROM feed_vx_rows;
  FOR v_step IN SELECT DISTINCT step FROM feed_vx_rows ORDER BY step LOOP
    -- What waits for review under the identifier: a DELETE withdraws it; a NEW replaces it
    -- (recorded now when it was matched, else queued again below).
    UPDATE ims.exchange_review q
       SET status = 'REJECTED', decided_by = session_user, decided_at = now(),
           note = CASE WHEN r.action = 'DELETE' THEN format('Withdrawn by the sender (import %s, row %s).', p_import_id, r.row_no)
                       ELSE format('Sent again and matched (import %s, row %s).', p_import_id, r.row_no) END
      FROM feed_vx_rows r
     WHERE r.step = v_step AND (r.action = 'DELETE' OR (r.action = 'NEW' AND r.person_id IS NOT NULL))
       AND q.source_system = r.unique_id_uri AND q.source_id = r.unique_id AND q.status = 'PENDING' AND q.import_id IS NOT NULL AND q.item_kind = 'VACCINATION';
    GET DIAGNOSTICS v_n = ROW_COUNT;
    v_withdrawn := v_withdrawn + v_n;

    -- NEW rows whose person is doubtful wait for a reviewer, with the event as it would be
    -- recorded (api.exchange_review_decide records it under the sender's key).
    INSERT INTO ims.exchange_review AS q (source_system, source_id, incoming, event, payload_hash, reason, scope_orgs, import_id, row_no)
    SELECT r.unique_id_uri, r.unique_id,
           jsonb_build_object('nhsNumber', NULL, 'familyName', r.surname, 'givenName', r.forename, 'dateOfBirth', r.dob,
                              'genderCode', r.gender, 'postcode', r.postcode),
           jsonb_strip_nulls(jsonb_build_object(
             'programme_code', r.programme_code, 'outcome', 'GIVEN', 'occurred_at', r.occurred_at,
             'occurred_on', (r.occurred_at AT TIME ZONE 'Europe/London')::date, 'dose_sequence', r.dose_raw::smallint,
             'product_code', r.product_code, 'batch_number', r.batch_number, 'expiry_date', r.expiry_date,
             'site_code', st.code, 'site_term', st.term, 'route_code', rt.code, 'route_term', rt.term,
             'dose_amount', r.amount_raw::numeric, 'dose_unit_code', CASE WHEN r.amount_raw IS NOT NULL THEN r.unit_code END,
             'dose_unit_term', CASE WHEN r.amount_raw IS NOT NULL THEN coalesce(r.unit_term, r.unit_code) END,
             'performer_name', left(r.performer, 200), 'location_code', r.location_code,
             'location_type', CASE WHEN r.location_uri LIKE '%urn-school-number' THEN 'URN' ELSE 'ODS' END,
             'organisation_code', o.code, 'primary_source', r.primary_raw = 'TRUE',
             'source_system', r.unique_id_uri, 'source_id', r.unique_id,
             'notes', format('NHS vaccination batch file: import %s, row %s (matched by review).', p_import_id, r.row_no))),
           format('v5:%s:%s', p_import_id, r.row_no), r.review_reason, ims.exchange_receiver_orgs(), p_import_id, r.row_no
    FROM feed_vx_rows r
    LEFT JOIN ims.snomed_site st ON st.code = r.body_site
    LEFT JOIN ims.snomed_route rt ON rt.code = r.route
    LEFT JOIN ims.organisation o ON o.code = r.org_code
    WHERE r.step = v_step AND r.action = 'NEW' AND r.person_id IS NULL AND r.review_reason IS NOT NULL
    ON CONFLICT (source_system, source_id) WHERE status = 'PENDING'
    DO UPDATE SET incoming = EXCLUDED.incoming, event = EXCLUDED.event, payload_hash = EXCLUDED.payload_hash,
                  reason = EXCLUDED.reason, received_at = now(), received_by = session_user,
                  import_id = EXCLUDED.import_id, row_no = EXCLUDED.row_no,
                  scope_orgs = CASE WHEN q.scope_orgs IS NULL OR EXCLUDED.scope_orgs IS NULL THEN NULL
                                    ELSE ARRAY(SELECT DISTINCT x FROM unnest(q.scope_orgs || EXCLUDED.scope_orgs) x ORDER BY 1) END;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    v_review := v_review + v_n;

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
      WHERE r.step = v_step AND r.action IN ('NEW', 'UPDATE') AND r.person_id IS NOT NULL
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
  -- Applied: the rows the register took now; a row waiting for review is counted apart.
  SELECT count(*) INTO v_rows FROM feed_vx_rows r WHERE r.review_reason IS NULL OR r.review_reason = 'WITHDRAW';
  RETURN jsonb_build_object('applied', v_rows, 'added', v_added, 'updated', v_updated, 'deleted', v_deleted,
                            'review', v_review, 'withdrawn', v_withdrawn);
END
$$;

CREATE OR REPLACE FUNCTION api.exchange_review_decide(p_id bigint, p_decision text, p_person_id bigint, p_note text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r ims.exchange_review;
  v_person bigint;
  v_write record;
  v_nhs text;
  v_event_id bigint;
BEGIN
  IF NOT ims.may_record_clinical() THEN
    PERFORM ims.refuse_exchange();
  END IF;
  IF p_decision NOT IN ('ACCEPT', 'REJECT', 'NEW_PERSON') THEN
    RAISE EXCEPTION 'A decision is ACCEPT, REJECT or NEW_PERSON.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SET LOCAL lock_timeout = '5s';
  -- An item from a batch file is recorded under the sender's key: take the key table first, as
  -- a batch import does, so the two never wait on each other crosswise.
  IF (SELECT x.import_id FROM ims.exchange_review x WHERE x.id = p_id AND x.item_kind = 'VACCINATION') IS NOT NULL THEN
    LOCK TABLE ims.vaccination_feed_key IN SHARE ROW EXCLUSIVE MODE;
  END IF;
  SELECT * INTO r FROM ims.exchange_review x WHERE x.id = p_id FOR UPDATE;
  IF NOT FOUND OR NOT ims.exchange_review_visible(r.scope_orgs) THEN
    RAISE EXCEPTION 'No waiting import % is available.', p_id USING ERRCODE = 'no_data_found';
  END IF;
  IF r.status <> 'PENDING' THEN
    RAISE EXCEPTION 'This import was already decided (%).', lower(r.status) USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  -- A class list's row is decided by its own rules (0077).
  IF r.item_kind = 'CLASS_LIST' THEN
    RETURN ims.class_list_review_decide(r, p_decision, p_person_id, p_note);
  END IF;
  IF p_decision = 'REJECT' THEN
    UPDATE ims.exchange_review SET status = 'REJECTED', decided_by = session_user, decided_at = now(), note = p_note WHERE id = p_id;
    RETURN ims.exchange_review_item(p_id);
  END IF;
  IF p_decision = 'ACCEPT' THEN
    IF p_person_id IS NULL OR NOT ims.audited_read(p_person_id, 'attach incoming vaccination') THEN
      PERFORM ims.refuse_unknown_person();
    END IF;
    v_person := p_person_id;
  ELSE
    v_nhs := r.incoming->>'nhsNumber';
    IF v_nhs IS NULL OR NOT ims.nhs_number_valid(v_nhs) THEN
      RAISE EXCEPTION 'A new person needs a valid NHS number; this import has none. Find the person, or reject it.'
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT 1 FROM ims.person p WHERE p.nhs_number = v_nhs) THEN
      RAISE EXCEPTION 'A person with NHS number % is already registered: attach the event to them instead.', v_nhs
        USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO ims.person (nhs_number, given_name, family_name, date_of_birth, gender_code, postcode, practice_code, registration_status)
    VALUES (v_nhs, r.incoming->>'givenName', r.incoming->>'familyName', (r.incoming->>'dateOfBirth')::date,
            coalesce(r.incoming->>'genderCode', '0'),
            CASE WHEN (r.incoming->>'postcode') ~ '^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$' THEN r.incoming->>'postcode' END,
            (SELECT g.code FROM ims.gp_practice g WHERE g.code = r.incoming->>'practiceCode'
               AND (ims.is_admin() OR NOT ims.is_application_user() OR g.code = ANY (ims.scope_practices()))),
            'UNREGISTERED')
    RETURNING id INTO v_person;
    -- Registered when the sender named a practice on the register (and in the reviewer's scope).
    UPDATE ims.person SET registration_status = 'REGISTERED' WHERE id = v_person AND practice_code IS NOT NULL;
    IF NOT ims.audited_read(v_person, 'attach incoming vaccination') THEN
      RAISE EXCEPTION 'The new person would be outside your scope (their practice is not yours), so they were not registered.'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
  END IF;
  IF r.import_id IS NOT NULL THEN
    -- From a batch file: a new event, keyed by the sender (a NEW after a DELETE reinstates).
    IF EXISTS (SELECT 1 FROM ims.vaccination_feed_key k JOIN ims.vaccination_event e ON e.id = k.event_id
               WHERE k.unique_id_uri = r.source_system AND k.unique_id = r.source_id AND e.status = 'ACTIVE') THEN
      RAISE EXCEPTION 'The sender''s event is already recorded; reject this item.' USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    v_event_id := api.record_vaccination(r.event || jsonb_build_object('person_id', v_person));
    INSERT INTO ims.vaccination_feed_key (unique_id_uri, unique_id, event_id, import_id)
    VALUES (r.source_system, r.source_id, v_event_id, r.import_id)
    ON CONFLICT (unique_id_uri, unique_id) DO UPDATE SET event_id = EXCLUDED.event_id, import_id = EXCLUDED.import_id;
  ELSE
    SELECT * INTO v_write FROM ims.exchange_write(v_person, r.event, r.payload_hash);
    v_event_id := v_write.event_id;
  END IF;
  UPDATE ims.exchange_review
     SET status = CASE p_decision WHEN 'ACCEPT' THEN 'ACCEPTED' ELSE 'NEW_PERSON' END,
         decided_by = session_user, decided_at = now(), person_id = v_person, event_id = v_event_id, note = p_note
   WHERE id = p_id;
  RETURN ims.exchange_review_item(p_id);
END
$$;

-- ---------------------------------------------------------------------------------------
-- 4. Two imports of one identical file at once: the pipeline's finish takes a lock on the
-- file's kind and checksum. It is written in 0080, which replaces the finish for its own
-- change too.

-- ---------------------------------------------------------------------------------------
-- 3. Person search by a superseded NHS number (the statement as 0028, with the history). The
-- application tells a result found by an earlier number by its NHS number differing from the
-- one searched. Scope applies to the person found, as for every search: someone outside it
-- is not found by either number.

CREATE OR REPLACE FUNCTION ims.person_search_sql(p_query jsonb, p_statement text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  k       text := p_query->>'kind';
  scope   text := '($7 OR p.practice_code = ANY ($8::text[]) OR p.la_code = ANY ($9::text[]))';
  surname text := '(p.family_name_key >= lower($2) AND p.family_name_key < lower($2) || chr(1114111))';
  given   text := CASE WHEN p_query->>'givenName' IS NOT NULL
                       THEN '(p.given_name_key >= lower($3) AND p.given_name_key < lower($3) || chr(1114111))' END;
  postcode text := CASE p_query->'postcode'->>'level'
                     WHEN 'full' THEN 'p.postcode = $6' WHEN 'sector' THEN 'p.postcode_sector = $6'
                     WHEN 'district' THEN 'p.postcode_district = $6' END;
  cols    text := 'p.id, p.nhs_number, p.given_name, p.family_name, p.date_of_birth, p.gender_code, p.postcode, '
                  'p.practice_code, o.name AS practice_name, p.date_of_death';
  ord     text := 'p.family_name_key, p.given_name_key, p.date_of_birth, p.id';
  w       text[];
BEGIN
  IF p_statement = 'near' THEN
    IF k NOT IN ('surname-dob', 'name') THEN
      RETURN NULL;
    END IF;
    w := ARRAY[scope, 'p.family_name_sound = ims.name_sound_key($2)'];
    IF k = 'surname-dob' THEN w := w || 'p.date_of_birth = $4::date'::text; END IF;
    IF given IS NOT NULL THEN w := w || given; END IF;
    -- Sound-alikes spelled before the typed surname, then after it: two ranges of the index,
    -- each read in order, never the people spelled as typed in between.
    RETURN format(
      'SELECT id, nhs_number, given_name, family_name, date_of_birth, gender_code, postcode, practice_code, practice_name, date_of_death
       FROM ((SELECT %1$s, p.family_name_key, p.given_name_key FROM ims.person p LEFT JOIN ims.organisation o ON o.code = p.practice_code
              WHERE %2$s AND p.family_name_key < lower($2) ORDER BY %3$s LIMIT $10)
             UNION ALL
             (SELECT %1$s, p.family_name_key, p.given_name_key FROM ims.person p LEFT JOIN ims.organisation o ON o.code = p.practice_code
              WHERE %2$s AND p.family_name_key >= lower($2) || chr(1114111) ORDER BY %3$s LIMIT $10)) m
       ORDER BY family_name_key, given_name_key, date_of_birth, id LIMIT $10',
      cols, array_to_string(w, ' AND '), ord);
  END IF;

  CASE k
    WHEN 'nhs-number' THEN
      -- The number's holder, or whoever holds the number it was superseded by (0039's history
      -- names them); a record retired by a merge gives way to its survivor. Both are index reads
      -- of a row or two, then the person by id (an OR here would read the whole register).
      w := ARRAY['p.id IN (SELECT x.id FROM ims.person x WHERE x.nhs_number = $1'
                 ' AND NOT EXISTS (SELECT 1 FROM ims.person_merge m WHERE m.retired_person_id = x.id)'
                 ' UNION ALL SELECT h.person_id FROM ims.person_nhs_number_history h WHERE h.nhs_number = $1)'];
    WHEN 'surname-dob' THEN w := ARRAY[surname, 'p.date_of_birth = $4::date'];
    WHEN 'name' THEN w := ARRAY[surname];
    WHEN 'name-postcode' THEN
      w := ARRAY[postcode, '((p.family_name_key >= lower($5) AND p.family_name_key < lower($5) || chr(1114111))'
                           ' OR (p.given_name_key >= lower($5) AND p.given_name_key < lower($5) || chr(1114111)))'];
    WHEN 'postcode' THEN w := ARRAY[postcode];
    ELSE RETURN NULL;
  END CASE;
  IF k IN ('surname-dob', 'name') AND given IS NOT NULL THEN w := w || given; END IF;
  IF array_position(w, NULL) IS NOT NULL THEN
    RETURN NULL; -- a postcode search without a postcode
  END IF;
  w := scope || w;
  IF p_statement = 'count' THEN
    RETURN format('SELECT count(*)::integer FROM (SELECT 1 FROM ims.person p WHERE %s LIMIT $10) m', array_to_string(w, ' AND '));
  END IF;
  -- MATERIALIZED keeps the pick a statement of its own, planned over the indexes alone.
  RETURN format(
    'WITH hit AS MATERIALIZED (
       SELECT p.id, p.family_name_key, p.given_name_key, p.date_of_birth FROM ims.person p
       WHERE %s ORDER BY %s LIMIT $10 OFFSET $11)
     SELECT %s FROM hit h JOIN ims.person p ON p.id = h.id LEFT JOIN ims.organisation o ON o.code = p.practice_code
     ORDER BY h.family_name_key, h.given_name_key, h.date_of_birth, h.id',
    array_to_string(w, ' AND '), ord, cols);
END
$$;
