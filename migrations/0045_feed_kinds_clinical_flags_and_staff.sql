-- Two more kinds of file on the import pipeline of 0039, each a layout (ims.feed_kind) and a
-- validation and an apply function:
--   * clinical-flags: a person's risk groups and other flags from a GP system extract. A flag is
--     known by (person, flag code, from date): a row already on the record changes at most its
--     end date and detail, so the same extract imported again changes nothing.
--   * staff-list: an employer's staff list for staff vaccination. A staff record is known by
--     (person, employer, from date), likewise.
-- Both name people by NHS number: the person must be on the register and in the importer's scope.

-- Typed rows and the checks shared by both: the person, and the dates.
CREATE FUNCTION ims.feed_person_rows(p_stage regclass, p_extra text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DROP TABLE IF EXISTS pg_temp.feed_rows;
  EXECUTE format($f$
    CREATE TEMP TABLE feed_rows ON COMMIT DROP AS
    SELECT s.row_no, nullif(btrim(s.nhs_number), '') AS nhs_raw, ims.feed_nhs_number(btrim(s.nhs_number)) AS nhs_number,
           nullif(btrim(s.from_date), '') AS from_raw, ims.feed_date(btrim(s.from_date)) AS from_date,
           nullif(btrim(s.to_date), '') AS to_raw, ims.feed_date(btrim(s.to_date)) AS to_date, p.id AS person_id,
           %s
    FROM %s s LEFT JOIN ims.person p ON p.nhs_number = ims.feed_nhs_number(btrim(s.nhs_number))
    WHERE s.parse_error IS NULL$f$, p_extra, p_stage);
END
$$;
REVOKE EXECUTE ON FUNCTION ims.feed_person_rows(regclass, text) FROM PUBLIC;

CREATE FUNCTION ims.feed_person_checks(p_import_id bigint, p_today date) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_unscoped boolean := ims.feed_unscoped();
BEGIN
  INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
  SELECT p_import_id, r.row_no, c.field, c.reason
  FROM feed_rows r LEFT JOIN ims.person p ON p.id = r.person_id
  CROSS JOIN LATERAL (VALUES
    (r.nhs_raw IS NULL, 'nhs_number', 'An NHS number is required.'),
    (r.nhs_raw IS NOT NULL AND r.nhs_number IS NULL, 'nhs_number', 'The NHS number is not valid (10 digits with a correct check digit).'),
    (r.nhs_number IS NOT NULL AND (p.id IS NULL OR (NOT v_unscoped AND NOT (p.practice_code IN (SELECT unnest(ims.scope_practices()))
                                                                       OR p.la_code IN (SELECT unnest(ims.scope_local_authorities()))))),
     'nhs_number', 'This NHS number is not on the register, or is not available to you.'),
    (r.from_raw IS NULL, 'from_date', 'A from date is required.'),
    (r.from_raw IS NOT NULL AND r.from_date IS NULL, 'from_date', 'The from date is not a real date written YYYY-MM-DD.'),
    (r.from_date > p_today, 'from_date', 'The from date is in the future.'),
    (r.to_raw IS NOT NULL AND r.to_date IS NULL, 'to_date', 'The to date is not a real date written YYYY-MM-DD.'),
    (r.to_date < r.from_date, 'to_date', 'The to date is before the from date.')
  ) AS c(bad, field, reason)
  WHERE c.bad;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.feed_person_checks(bigint, date) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------
-- Clinical flags.

CREATE FUNCTION ims.feed_validate_clinical_flags(p_import_id bigint, p_stage regclass, p_today date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.feed_person_rows(p_stage, 'upper(nullif(btrim(s.flag_code), '''')) AS flag_code, nullif(btrim(s.detail), '''') AS detail');
  PERFORM ims.feed_person_checks(p_import_id, p_today);
  INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
  SELECT p_import_id, r.row_no, c.field, c.reason
  FROM feed_rows r LEFT JOIN ims.flag_type t ON t.code = r.flag_code
  CROSS JOIN LATERAL (VALUES
    (r.flag_code IS NULL, 'flag_code', 'A flag code is required.'),
    (r.flag_code IS NOT NULL AND t.code IS NULL, 'flag_code', 'Unknown flag code ' || left(r.flag_code, 40) || '.'),
    (length(r.detail) > 500, 'detail', 'The detail is at most 500 characters.')
  ) AS c(bad, field, reason)
  WHERE c.bad;
  INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
  SELECT p_import_id, x.row_no, 'flag_code', format('The same flag from the same date is repeated (first on row %s).', x.first)
  FROM (SELECT row_no, min(row_no) OVER w AS first, row_number() OVER w AS n FROM feed_rows
        WHERE person_id IS NOT NULL AND flag_code IS NOT NULL AND from_date IS NOT NULL
        WINDOW w AS (PARTITION BY person_id, flag_code, from_date ORDER BY row_no)) x
  WHERE x.n > 1;
  DELETE FROM feed_rows r USING ims.feed_reject j WHERE j.import_id = p_import_id AND j.row_no = r.row_no;
END
$$;

CREATE FUNCTION ims.feed_apply_clinical_flags(p_import_id bigint, p_stage regclass, p_today date) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_rows integer;
  v_added integer;
  v_updated integer;
  v_source text := 'Import ' || p_import_id;
BEGIN
  SELECT count(*) INTO v_rows FROM feed_rows;
  UPDATE ims.clinical_flag f SET to_date = r.to_date, detail = coalesce(r.detail, f.detail)
    FROM feed_rows r
   WHERE f.person_id = r.person_id AND f.flag_code = r.flag_code AND f.from_date = r.from_date
     AND (f.to_date, f.detail) IS DISTINCT FROM (r.to_date, coalesce(r.detail, f.detail));
  GET DIAGNOSTICS v_updated = ROW_COUNT;
  INSERT INTO ims.clinical_flag (person_id, flag_code, from_date, to_date, source, detail)
  SELECT r.person_id, r.flag_code, r.from_date, r.to_date, v_source, r.detail FROM feed_rows r
  WHERE NOT EXISTS (SELECT 1 FROM ims.clinical_flag f
                    WHERE f.person_id = r.person_id AND f.flag_code = r.flag_code AND f.from_date = r.from_date);
  GET DIAGNOSTICS v_added = ROW_COUNT;
  RETURN jsonb_build_object('applied', v_rows, 'added', v_added, 'updated', v_updated, 'unchanged', v_rows - v_added - v_updated);
END
$$;

-- ---------------------------------------------------------------------------------------
-- Staff lists.

CREATE FUNCTION ims.feed_validate_staff_list(p_import_id bigint, p_stage regclass, p_today date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.feed_person_rows(p_stage,
    'upper(nullif(btrim(s.employer_code), '''')) AS employer_code, nullif(btrim(s.department), '''') AS department, '
    'upper(nullif(btrim(s.staff_group), '''')) AS staff_group, nullif(btrim(s.job_role), '''') AS job_role, '
    'upper(nullif(btrim(s.frontline), '''')) AS frontline');
  PERFORM ims.feed_person_checks(p_import_id, p_today);
  INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
  SELECT p_import_id, r.row_no, c.field, c.reason
  FROM feed_rows r LEFT JOIN ims.organisation o ON o.code = r.employer_code
  CROSS JOIN LATERAL (VALUES
    (r.employer_code IS NULL, 'employer_code', 'An employer code is required.'),
    (r.employer_code IS NOT NULL AND o.code IS NULL, 'employer_code', 'Unknown employer ' || left(r.employer_code, 20) || '.'),
    (r.staff_group IS NULL, 'staff_group', 'A staff group is required.'),
    (r.staff_group NOT IN ('MEDICAL', 'NURSING', 'MIDWIFERY', 'AHP', 'SCIENTIFIC', 'HEALTHCARE_ASSISTANT', 'SOCIAL_CARE', 'ADMIN',
                           'ESTATES', 'STUDENT', 'OTHER'), 'staff_group', 'Unknown staff group ' || left(r.staff_group, 40) || '.'),
    (r.frontline IS NULL, 'frontline', 'Say whether the role is frontline: Y or N.'),
    (r.frontline NOT IN ('Y', 'N'), 'frontline', 'Frontline is Y or N.'),
    (length(r.department) > 200 OR length(r.job_role) > 200, 'job_role', 'Department and job role are at most 200 characters.')
  ) AS c(bad, field, reason)
  WHERE c.bad;
  INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
  SELECT p_import_id, x.row_no, 'employer_code', format('The same employment from the same date is repeated (first on row %s).', x.first)
  FROM (SELECT row_no, min(row_no) OVER w AS first, row_number() OVER w AS n FROM feed_rows
        WHERE person_id IS NOT NULL AND employer_code IS NOT NULL AND from_date IS NOT NULL
        WINDOW w AS (PARTITION BY person_id, employer_code, from_date ORDER BY row_no)) x
  WHERE x.n > 1;
  DELETE FROM feed_rows r USING ims.feed_reject j WHERE j.import_id = p_import_id AND j.row_no = r.row_no;
END
$$;

CREATE FUNCTION ims.feed_apply_staff_list(p_import_id bigint, p_stage regclass, p_today date) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_rows integer;
  v_added integer;
  v_updated integer;
BEGIN
  SELECT count(*) INTO v_rows FROM feed_rows;
  UPDATE ims.staff_record s
     SET department = r.department, staff_group = r.staff_group, job_role = r.job_role, frontline = r.frontline = 'Y',
         to_date = r.to_date
    FROM feed_rows r
   WHERE s.person_id = r.person_id AND s.employer_code = r.employer_code AND s.from_date = r.from_date
     AND (s.department, s.staff_group, s.job_role, s.frontline, s.to_date)
         IS DISTINCT FROM (r.department, r.staff_group, r.job_role, r.frontline = 'Y', r.to_date);
  GET DIAGNOSTICS v_updated = ROW_COUNT;
  INSERT INTO ims.staff_record (person_id, employer_code, department, staff_group, job_role, frontline, from_date, to_date)
  SELECT r.person_id, r.employer_code, r.department, r.staff_group, r.job_role, r.frontline = 'Y', r.from_date, r.to_date
  FROM feed_rows r
  WHERE NOT EXISTS (SELECT 1 FROM ims.staff_record s
                    WHERE s.person_id = r.person_id AND s.employer_code = r.employer_code AND s.from_date = r.from_date);
  GET DIAGNOSTICS v_added = ROW_COUNT;
  RETURN jsonb_build_object('applied', v_rows, 'added', v_added, 'updated', v_updated, 'unchanged', v_rows - v_added - v_updated);
END
$$;

REVOKE EXECUTE ON FUNCTION ims.feed_validate_clinical_flags(bigint, regclass, date), ims.feed_apply_clinical_flags(bigint, regclass, date),
  ims.feed_validate_staff_list(bigint, regclass, date), ims.feed_apply_staff_list(bigint, regclass, date) FROM PUBLIC;

INSERT INTO ims.feed_kind (code, label, columns, validate_fn, apply_fn) VALUES
  ('clinical-flags', 'Clinical flags', ARRAY['nhs_number', 'flag_code', 'from_date', 'to_date', 'detail'],
   'ims.feed_validate_clinical_flags', 'ims.feed_apply_clinical_flags'),
  ('staff-list', 'Staff list',
   ARRAY['nhs_number', 'employer_code', 'department', 'staff_group', 'job_role', 'frontline', 'from_date', 'to_date'],
   'ims.feed_validate_staff_list', 'ims.feed_apply_staff_list');
