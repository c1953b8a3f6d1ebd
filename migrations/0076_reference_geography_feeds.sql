-- Reference geography and organisations as four more kinds of file on the import pipeline of
-- 0039, each in its publisher's layout:
--   * onspd-postcodes   the ONS postcode directory: postcode to LSOA, local authority, ICB and
--                       region, with the dates it was introduced and terminated;
--   * imd-lsoa          the English Indices of Deprivation (File 1 or File 7): LSOA to IMD rank
--                       and decile;
--   * ods-gp-practices  the ODS GP practice file (epraccur: 27 columns, no header);
--   * gias-schools      the GIAS establishment download (edubasealldata).
-- The national files take the whole country; the register keeps its own area: its local
-- authorities (ims.local_authority) and, for practices, its ICBs. Rows outside it are counted as
-- "outside" and skipped, not rejected, so a national file is not refused for its size.
-- Reference data is everyone's: only administrators (and the owner) import it.
--
-- What an update refreshes: a person's LSOA, IMD decile and local authority derive from their
-- postcode (as the demographic feeds place them). When a postcode's geography or an LSOA's
-- decile changes, the people it places are updated in one statement; the person trigger of 0031
-- puts them on the status queue, and the cohort facts follow it. Practices and schools change
-- no one's record.

ALTER TABLE ims.postcode_lookup
  ADD COLUMN la_code     text REFERENCES ims.local_authority (code),
  ADD COLUMN icb_code    text,          -- ONS code of the ICB (E54...), as the directory gives it
  ADD COLUMN region_code text,          -- ONS region (E12...)
  ADD COLUMN introduced  date,          -- first of the month (dointr)
  ADD COLUMN terminated  date;          -- first of the month (doterm); still places people
CREATE INDEX postcode_lookup_lsoa_idx ON ims.postcode_lookup (lsoa_code);

ALTER TABLE ims.school
  ADD COLUMN la_number          text,   -- GIAS "LA (code)", the three-digit number
  ADD COLUMN establishment_type text,
  ADD COLUMN status             text,
  ADD COLUMN open_date          date,
  ADD COLUMN close_date         date,
  ADD COLUMN low_age            smallint CHECK (low_age BETWEEN 0 AND 25),
  ADD COLUMN high_age           smallint CHECK (high_age BETWEEN 0 AND 25);

ALTER TABLE ims.gp_practice
  ADD COLUMN status_code         text CHECK (status_code IN ('A', 'C', 'D', 'P')),
  ADD COLUMN open_date           date,
  ADD COLUMN close_date          date,
  ADD COLUMN prescribing_setting smallint;

-- ---------------------------------------------------------------------------------------
-- Value helpers (NULL for a value they do not accept), inlined like those of 0039.

-- YYYYMM, the directory's months, as the first day of the month.
CREATE FUNCTION ims.feed_month(s text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN s ~ '^(18|19|20)[0-9]{2}(0[1-9]|1[0-2])$' THEN make_date(substr(s, 1, 4)::int, substr(s, 5, 2)::int, 1) END
$$;

-- YYYYMMDD, the ODS files' dates.
CREATE FUNCTION ims.feed_date_compact(s text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN s ~ '^[0-9]{8}$' THEN ims.feed_date(substr(s, 1, 4) || '-' || substr(s, 5, 2) || '-' || substr(s, 7, 2)) END
$$;

-- DD-MM-YYYY or DD/MM/YYYY, the GIAS download's dates.
CREATE FUNCTION ims.feed_date_dmy(s text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN s ~ '^[0-9]{2}[-/][0-9]{2}[-/][0-9]{4}$'
              THEN ims.feed_date(substr(s, 7, 4) || '-' || substr(s, 4, 2) || '-' || substr(s, 1, 2)) END
$$;

-- A whole number written plainly (at most 9 digits), or NULL.
CREATE FUNCTION ims.feed_int(s text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN s ~ '^[0-9]{1,9}$' THEN s::integer END
$$;

-- Reference data is the whole register's: administrators and the owner import it.
CREATE FUNCTION ims.feed_require_reference_importer() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.feed_unscoped() THEN
    RAISE EXCEPTION 'Only administrators may import reference data (postcodes, deprivation, practices, schools).'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.feed_require_reference_importer() FROM PUBLIC;

-- Refused when the import is opened, before the file is read (the validation checks again).
CREATE FUNCTION ims.feed_import_reference_kind() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.kind IN ('onspd-postcodes', 'imd-lsoa', 'ods-gp-practices', 'gias-schools') THEN
    PERFORM ims.feed_require_reference_importer();
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER feed_import_reference_kind BEFORE INSERT ON ims.feed_import
  FOR EACH ROW EXECUTE FUNCTION ims.feed_import_reference_kind();

-- Places again the people with the given postcodes or LSOAs, as the demographic feeds place
-- them: local authority from the postcode (directory, else its sector), LSOA from the directory,
-- decile from the LSOA. What the directory does not know is kept (a register loaded before any
-- directory holds people's LSOAs without postcode rows: a new decile must not take their LSOA
-- away). One statement; only rows that differ are
-- written, so the person trigger queues exactly the people whose place changed. (IN over unnest,
-- not = ANY: a national directory's first load changes millions of postcodes, and a semi-join
-- is hashed where = ANY of a parameter is searched once per person.)
CREATE FUNCTION ims.feed_place_people(p_postcodes text[], p_lsoas text[]) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_n integer;
BEGIN
  UPDATE ims.person p
     SET la_code = x.la, lsoa_code = x.lsoa, imd_decile = x.imd, updated_at = now()
    FROM (SELECT q.id, coalesce(pl.la_code, ps.la_code, q.la_code) AS la, coalesce(pl.lsoa_code, q.lsoa_code) AS lsoa,
                 l.imd_decile AS imd
          FROM ims.person q
          LEFT JOIN ims.postcode_lookup pl ON pl.postcode = q.postcode
          LEFT JOIN ims.postcode_sector ps ON ps.sector = q.postcode_sector
          LEFT JOIN ims.lsoa l ON l.code = coalesce(pl.lsoa_code, q.lsoa_code)
          WHERE q.postcode IN (SELECT unnest(p_postcodes))
          UNION
          SELECT q.id, coalesce(pl.la_code, ps.la_code, q.la_code), coalesce(pl.lsoa_code, q.lsoa_code), l.imd_decile
          FROM ims.person q
          LEFT JOIN ims.postcode_lookup pl ON pl.postcode = q.postcode
          LEFT JOIN ims.postcode_sector ps ON ps.sector = q.postcode_sector
          LEFT JOIN ims.lsoa l ON l.code = coalesce(pl.lsoa_code, q.lsoa_code)
          WHERE q.lsoa_code IN (SELECT unnest(p_lsoas))) x
   WHERE p.id = x.id AND (p.la_code, p.lsoa_code, p.imd_decile) IS DISTINCT FROM (x.la, x.lsoa, x.imd);
  GET DIAGNOSTICS v_n = ROW_COUNT;
  RETURN v_n;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.feed_place_people(text[], text[]) FROM PUBLIC;

-- The demographic feeds place a person the same way: the directory's local authority first,
-- which is exact where a postcode sector straddles a boundary. (0039's function otherwise as it was.)
CREATE OR REPLACE FUNCTION ims.feed_demographic_rows(p_stage regclass, p_delta boolean) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DROP TABLE IF EXISTS pg_temp.feed_demo;
  EXECUTE format($f$
    CREATE TEMP TABLE feed_demo ON COMMIT DROP AS
    SELECT s.row_no,
           %s AS record_id, %s AS change_type,
           nullif(btrim(s.nhs_number), '') AS nhs_raw, ims.feed_nhs_number(btrim(s.nhs_number)) AS nhs_number,
           %s AS new_nhs_raw, ims.feed_nhs_number(%s) AS new_nhs_number,
           nullif(btrim(s.family_name), '') AS family_name, nullif(btrim(s.given_name), '') AS given_name,
           nullif(btrim(s.other_given_names), '') AS other_given_names,
           nullif(btrim(s.date_of_birth), '') AS dob_raw, ims.feed_date(btrim(s.date_of_birth)) AS date_of_birth,
           nullif(btrim(s.gender), '') AS gender,
           nullif(btrim(s.postcode), '') AS postcode_raw, x.postcode,
           coalesce(pl.la_code, ps.la_code) AS place_la, pl.lsoa_code AS place_lsoa, l.imd_decile AS place_imd,
           nullif(btrim(s.address_line1), '') AS address_line1, nullif(btrim(s.address_line2), '') AS address_line2,
           nullif(btrim(s.address_line3), '') AS address_line3, nullif(btrim(s.town), '') AS town,
           upper(nullif(btrim(s.practice_code), '')) AS practice_code,
           %s AS ethnic_category,
           %s AS effective_raw, ims.feed_date(%s) AS effective_date,
           nullif(btrim(s.date_of_death), '') AS dod_raw, ims.feed_date(btrim(s.date_of_death)) AS date_of_death
    FROM %s s
    CROSS JOIN LATERAL (SELECT ims.feed_postcode(s.postcode) AS postcode) x
    LEFT JOIN ims.postcode_sector ps ON ps.sector = split_part(x.postcode, ' ', 1) || ' ' || left(split_part(x.postcode, ' ', 2), 1)
    LEFT JOIN ims.postcode_lookup pl ON pl.postcode = x.postcode
    LEFT JOIN ims.lsoa l ON l.code = pl.lsoa_code
    WHERE s.parse_error IS NULL$f$,
    CASE WHEN p_delta THEN 'nullif(btrim(s.record_id), '''')' ELSE 'NULL::text' END,
    CASE WHEN p_delta THEN 'upper(nullif(btrim(s.change_type), ''''))' ELSE '''FULL''::text' END,
    CASE WHEN p_delta THEN 'nullif(btrim(s.new_nhs_number), '''')' ELSE 'NULL::text' END,
    CASE WHEN p_delta THEN 'btrim(s.new_nhs_number)' ELSE 'NULL::text' END,
    CASE WHEN p_delta THEN 'NULL::text' ELSE 'upper(nullif(btrim(s.ethnic_category), ''''))' END,
    CASE WHEN p_delta THEN 'nullif(btrim(s.effective_date), '''')' ELSE 'NULL::text' END,
    CASE WHEN p_delta THEN 'btrim(s.effective_date)' ELSE 'NULL::text' END,
    p_stage);
  CREATE INDEX ON feed_demo (nhs_number);
  ANALYZE feed_demo;
END
$$;

-- Rejects the later rows of each repeated key (the typed rows in feed_ref, key column p_key).
CREATE FUNCTION ims.feed_ref_repeats(p_import_id bigint, p_key text, p_field text, p_what text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  EXECUTE format($f$
    INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
    SELECT $1, x.row_no, $2, format('The %s is repeated (first on row %%s).', x.first)
    FROM (SELECT row_no, min(row_no) OVER w AS first, row_number() OVER w AS n FROM feed_ref WHERE %2$I IS NOT NULL
          WINDOW w AS (PARTITION BY %2$I ORDER BY row_no)) x
    WHERE x.n > 1$f$, p_what, p_key) USING p_import_id, p_field;
  DELETE FROM feed_ref r USING ims.feed_reject j WHERE j.import_id = p_import_id AND j.row_no = r.row_no;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.feed_ref_repeats(bigint, text, text, text) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------
-- ONS postcode directory.

CREATE FUNCTION ims.feed_validate_onspd_postcodes(p_import_id bigint, p_stage regclass, p_today date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.feed_require_reference_importer();
  DROP TABLE IF EXISTS pg_temp.feed_ref;
  EXECUTE format($f$
    CREATE TEMP TABLE feed_ref ON COMMIT DROP AS
    SELECT s.row_no, nullif(btrim(s.pcds), '') AS pcd_raw, ims.feed_postcode(btrim(s.pcds)) AS postcode,
           nullif(btrim(s.dointr), '') AS intr_raw, ims.feed_month(btrim(s.dointr)) AS introduced,
           nullif(btrim(s.doterm), '') AS term_raw, ims.feed_month(btrim(s.doterm)) AS terminated,
           upper(nullif(btrim(s.oslaua), '')) AS la_code, upper(nullif(btrim(s.lsoa21), '')) AS lsoa_code,
           upper(nullif(btrim(s.icb), '')) AS icb_code, upper(nullif(btrim(s.rgn), '')) AS region_code,
           la.code IS NOT NULL AS inside
    FROM %s s LEFT JOIN ims.local_authority la ON la.code = upper(nullif(btrim(s.oslaua), ''))
    WHERE s.parse_error IS NULL$f$, p_stage);
  INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
  SELECT p_import_id, r.row_no, c.field, c.reason
  FROM feed_ref r LEFT JOIN ims.lsoa l ON l.code = r.lsoa_code
  CROSS JOIN LATERAL (VALUES
    (r.pcd_raw IS NULL, 'pcds', 'A postcode is required.'),
    (r.pcd_raw IS NOT NULL AND r.postcode IS NULL, 'pcds', 'The postcode is not a valid UK postcode.'),
    (r.intr_raw IS NULL, 'dointr', 'The month of introduction is required.'),
    (r.intr_raw IS NOT NULL AND r.introduced IS NULL, 'dointr', 'The month of introduction is not a month written YYYYMM.'),
    (r.term_raw IS NOT NULL AND r.terminated IS NULL, 'doterm', 'The month of termination is not a month written YYYYMM.'),
    (r.terminated < r.introduced, 'doterm', 'The postcode is terminated before it was introduced.'),
    (r.la_code IS NULL, 'oslaua', 'A local authority code is required.'),
    (r.la_code !~ '^[A-Z][0-9]{8}$', 'oslaua', 'The local authority code is not a GSS code (a letter and 8 digits).'),
    (r.icb_code !~ '^[A-Z][0-9]{8}$', 'icb', 'The ICB code is not a GSS code (a letter and 8 digits).'),
    (r.region_code !~ '^[A-Z][0-9]{8}$', 'rgn', 'The region code is not a GSS code (a letter and 8 digits).'),
    -- Inside the register's area, a postcode must name an LSOA the register knows.
    (r.inside AND r.lsoa_code IS NULL, 'lsoa21', 'An LSOA code is required for a postcode in the register''s area.'),
    (r.inside AND r.lsoa_code IS NOT NULL AND l.code IS NULL, 'lsoa21',
     'Unknown LSOA ' || left(r.lsoa_code, 20) || ': import the deprivation (IMD) file first.')
  ) AS c(bad, field, reason)
  WHERE c.bad;
  DELETE FROM feed_ref r USING ims.feed_reject j WHERE j.import_id = p_import_id AND j.row_no = r.row_no;
  PERFORM ims.feed_ref_repeats(p_import_id, 'postcode', 'pcds', 'postcode');
END
$$;

CREATE FUNCTION ims.feed_apply_onspd_postcodes(p_import_id bigint, p_stage regclass, p_today date) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_rows integer;
  v_outside integer;
  v_added integer;
  v_updated integer;
  v_terminated integer;
  v_people integer;
  v_changed text[];
BEGIN
  SELECT count(*), count(*) FILTER (WHERE NOT inside), count(*) FILTER (WHERE inside AND terminated IS NOT NULL)
    INTO v_rows, v_outside, v_terminated FROM feed_ref;
  WITH u AS (
    UPDATE ims.postcode_lookup pl
       SET lsoa_code = r.lsoa_code, la_code = r.la_code, icb_code = r.icb_code, region_code = r.region_code,
           introduced = r.introduced, terminated = r.terminated
      FROM feed_ref r
     WHERE r.inside AND pl.postcode = r.postcode
       AND (pl.lsoa_code, pl.la_code, pl.icb_code, pl.region_code, pl.introduced, pl.terminated)
           IS DISTINCT FROM (r.lsoa_code, r.la_code, r.icb_code, r.region_code, r.introduced, r.terminated)
    RETURNING pl.postcode),
  i AS (
    INSERT INTO ims.postcode_lookup (postcode, lsoa_code, la_code, icb_code, region_code, introduced, terminated)
    SELECT r.postcode, r.lsoa_code, r.la_code, r.icb_code, r.region_code, r.introduced, r.terminated
    FROM feed_ref r
    WHERE r.inside AND NOT EXISTS (SELECT 1 FROM ims.postcode_lookup pl WHERE pl.postcode = r.postcode)
    RETURNING postcode)
  SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM i), ARRAY(SELECT postcode FROM u UNION ALL SELECT postcode FROM i)
    INTO v_updated, v_added, v_changed;
  v_people := ims.feed_place_people(v_changed, '{}');
  RETURN jsonb_build_object('applied', v_rows, 'added', v_added, 'updated', v_updated,
                            'unchanged', v_rows - v_outside - v_added - v_updated, 'outside', v_outside,
                            'terminated', v_terminated, 'people', v_people);
END
$$;

-- ---------------------------------------------------------------------------------------
-- English Indices of Deprivation: LSOA to IMD rank and decile.

CREATE FUNCTION ims.feed_validate_imd_lsoa(p_import_id bigint, p_stage regclass, p_today date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.feed_require_reference_importer();
  DROP TABLE IF EXISTS pg_temp.feed_ref;
  EXECUTE format($f$
    CREATE TEMP TABLE feed_ref ON COMMIT DROP AS
    SELECT s.row_no, upper(nullif(btrim(s.lsoa_code), '')) AS lsoa_code, nullif(btrim(s.lsoa_name), '') AS lsoa_name,
           upper(nullif(btrim(s.la_code), '')) AS la_code, nullif(btrim(s.la_name), '') AS la_name,
           nullif(btrim(s.imd_rank), '') AS rank_raw, ims.feed_int(btrim(s.imd_rank)) AS imd_rank,
           nullif(btrim(s.imd_decile), '') AS decile_raw, ims.feed_int(btrim(s.imd_decile)) AS imd_decile,
           la.code IS NOT NULL AS inside
    FROM %s s LEFT JOIN ims.local_authority la ON la.code = upper(nullif(btrim(s.la_code), ''))
    WHERE s.parse_error IS NULL$f$, p_stage);
  INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
  SELECT p_import_id, r.row_no, c.field, c.reason
  FROM feed_ref r
  CROSS JOIN LATERAL (VALUES
    (r.lsoa_code IS NULL, 'LSOA code (2021)', 'An LSOA code is required.'),
    (r.lsoa_code !~ '^E01[0-9]{6}$', 'LSOA code (2021)', 'The LSOA code is not an English LSOA code (E01 and 6 digits).'),
    (r.lsoa_name IS NULL, 'LSOA name (2021)', 'The LSOA name is required.'),
    (length(r.lsoa_name) > 200, 'LSOA name (2021)', 'The LSOA name is at most 200 characters.'),
    (r.la_code IS NULL, 'Local Authority District code (2024)', 'A local authority code is required.'),
    (r.la_code !~ '^E0[6-9][0-9]{6}$', 'Local Authority District code (2024)',
     'The local authority code is not an English district code (E06 to E09 and 6 digits).'),
    (r.rank_raw IS NULL, 'Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)', 'The IMD rank is required.'),
    (r.rank_raw IS NOT NULL AND coalesce(r.imd_rank, 0) < 1, 'Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)',
     'The IMD rank is a whole number from 1.'),
    (r.decile_raw IS NULL, 'Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)',
     'The IMD decile is required.'),
    (r.decile_raw IS NOT NULL AND coalesce(r.imd_decile, 0) NOT BETWEEN 1 AND 10,
     'Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)', 'The IMD decile is a whole number from 1 to 10.')
  ) AS c(bad, field, reason)
  WHERE c.bad;
  DELETE FROM feed_ref r USING ims.feed_reject j WHERE j.import_id = p_import_id AND j.row_no = r.row_no;
  PERFORM ims.feed_ref_repeats(p_import_id, 'lsoa_code', 'LSOA code (2021)', 'LSOA code');
END
$$;

CREATE FUNCTION ims.feed_apply_imd_lsoa(p_import_id bigint, p_stage regclass, p_today date) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_rows integer;
  v_outside integer;
  v_added integer;
  v_updated integer;
  v_people integer;
  v_changed text[];
BEGIN
  SELECT count(*), count(*) FILTER (WHERE NOT inside) INTO v_rows, v_outside FROM feed_ref;
  WITH u AS (
    UPDATE ims.lsoa l SET name = r.lsoa_name, la_code = r.la_code, imd_rank = r.imd_rank, imd_decile = r.imd_decile
      FROM feed_ref r
     WHERE r.inside AND l.code = r.lsoa_code
       AND (l.name, l.la_code, l.imd_rank, l.imd_decile) IS DISTINCT FROM (r.lsoa_name, r.la_code, r.imd_rank, r.imd_decile::smallint)
    RETURNING l.code),
  i AS (
    INSERT INTO ims.lsoa (code, name, la_code, imd_rank, imd_decile)
    SELECT r.lsoa_code, r.lsoa_name, r.la_code, r.imd_rank, r.imd_decile FROM feed_ref r
    WHERE r.inside AND NOT EXISTS (SELECT 1 FROM ims.lsoa l WHERE l.code = r.lsoa_code)
    RETURNING code)
  SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM i), ARRAY(SELECT code FROM u)
    INTO v_updated, v_added, v_changed;
  -- A new LSOA places no one yet (no postcode names it); a changed one re-places its people.
  v_people := ims.feed_place_people('{}', v_changed);
  RETURN jsonb_build_object('applied', v_rows, 'added', v_added, 'updated', v_updated,
                            'unchanged', v_rows - v_outside - v_added - v_updated, 'outside', v_outside, 'people', v_people);
END
$$;

-- ---------------------------------------------------------------------------------------
-- ODS GP practices (epraccur).

CREATE FUNCTION ims.feed_validate_ods_gp_practices(p_import_id bigint, p_stage regclass, p_today date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.feed_require_reference_importer();
  DROP TABLE IF EXISTS pg_temp.feed_ref;
  EXECUTE format($f$
    CREATE TEMP TABLE feed_ref ON COMMIT DROP AS
    SELECT s.row_no, upper(nullif(btrim(s.organisation_code), '')) AS code, nullif(btrim(s.name), '') AS name,
           upper(nullif(btrim(s.high_level_health_geography), '')) AS icb_code,
           nullif(concat_ws(', ', nullif(btrim(s.address_line_1), ''), nullif(btrim(s.address_line_2), ''),
                            nullif(btrim(s.address_line_3), ''), nullif(btrim(s.address_line_4), ''),
                            nullif(btrim(s.address_line_5), '')), '') AS address,
           nullif(btrim(s.postcode), '') AS postcode_raw, ims.feed_postcode(btrim(s.postcode)) AS postcode,
           nullif(btrim(s.open_date), '') AS open_raw, ims.feed_date_compact(btrim(s.open_date)) AS open_date,
           nullif(btrim(s.close_date), '') AS close_raw, ims.feed_date_compact(btrim(s.close_date)) AS close_date,
           upper(nullif(btrim(s.status_code), '')) AS status_code,
           nullif(btrim(s.contact_telephone_number), '') AS phone,
           nullif(btrim(s.prescribing_setting), '') AS setting_raw, ims.feed_int(btrim(s.prescribing_setting)) AS setting,
           o.code IS NOT NULL AS known, o.org_type AS known_type,
           (o.code IS NOT NULL OR icb.code IS NOT NULL) AS inside
    FROM %s s
    LEFT JOIN ims.organisation o ON o.code = upper(nullif(btrim(s.organisation_code), ''))
    LEFT JOIN ims.organisation icb ON icb.code = upper(nullif(btrim(s.high_level_health_geography), '')) AND icb.org_type = 'ICB'
    WHERE s.parse_error IS NULL$f$, p_stage);
  INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
  SELECT p_import_id, r.row_no, c.field, c.reason
  FROM feed_ref r
  CROSS JOIN LATERAL (VALUES
    (r.code IS NULL, 'organisation_code', 'An organisation code is required.'),
    (r.code !~ '^[A-Z][0-9]{5}$', 'organisation_code', 'The organisation code is not a GP practice code (a letter and 5 digits).'),
    (r.known AND r.known_type <> 'GP', 'organisation_code', 'This code is an organisation on the register that is not a GP practice.'),
    (r.name IS NULL, 'name', 'The name is required.'),
    (length(r.name) > 200, 'name', 'The name is at most 200 characters.'),
    (r.postcode_raw IS NOT NULL AND r.postcode IS NULL, 'postcode', 'The postcode is not a valid UK postcode.'),
    (r.open_raw IS NULL, 'open_date', 'The open date is required.'),
    (r.open_raw IS NOT NULL AND r.open_date IS NULL, 'open_date', 'The open date is not a real date written YYYYMMDD.'),
    (r.close_raw IS NOT NULL AND r.close_date IS NULL, 'close_date', 'The close date is not a real date written YYYYMMDD.'),
    (r.close_date < r.open_date, 'close_date', 'The close date is before the open date.'),
    (r.status_code IS NULL, 'status_code', 'The status code is required.'),
    (r.status_code NOT IN ('A', 'C', 'D', 'P'), 'status_code', 'The status code is A (active), C (closed), D (dormant) or P (proposed).'),
    (r.setting_raw IS NULL, 'prescribing_setting', 'The prescribing setting is required.'),
    (r.setting_raw IS NOT NULL AND r.setting IS NULL, 'prescribing_setting', 'The prescribing setting is a number.')
  ) AS c(bad, field, reason)
  WHERE c.bad;
  DELETE FROM feed_ref r USING ims.feed_reject j WHERE j.import_id = p_import_id AND j.row_no = r.row_no;
  PERFORM ims.feed_ref_repeats(p_import_id, 'code', 'organisation_code', 'organisation code');
END
$$;

-- Setting 4 is a GP practice; the file's other settings (out of hours, prisons, ...) are skipped.
-- A new practice hangs from its ICB; a known one keeps its place in the hierarchy (its PCN).
CREATE FUNCTION ims.feed_apply_ods_gp_practices(p_import_id bigint, p_stage regclass, p_today date) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_rows integer;
  v_outside integer;
  v_other integer;
  v_added integer;
  v_updated integer;
BEGIN
  SELECT count(*), count(*) FILTER (WHERE NOT inside), count(*) FILTER (WHERE inside AND setting <> 4)
    INTO v_rows, v_outside, v_other FROM feed_ref;
  DELETE FROM feed_ref WHERE NOT inside OR setting <> 4;
  ALTER TABLE feed_ref ADD COLUMN la_code text, ADD COLUMN active boolean;
  UPDATE feed_ref r SET active = r.status_code = 'A' AND (r.close_date IS NULL OR r.close_date > p_today),
         la_code = coalesce((SELECT pl.la_code FROM ims.postcode_lookup pl WHERE pl.postcode = r.postcode),
                            (SELECT ps.la_code FROM ims.postcode_sector ps
                             WHERE ps.sector = split_part(r.postcode, ' ', 1) || ' ' || left(split_part(r.postcode, ' ', 2), 1)));

  INSERT INTO ims.organisation (code, name, org_type, parent_code, postcode, active)
  SELECT r.code, r.name, 'GP', r.icb_code, r.postcode, r.active FROM feed_ref r WHERE NOT r.known;
  GET DIAGNOSTICS v_added = ROW_COUNT;
  INSERT INTO ims.gp_practice (code, address, postcode, phone, la_code, status_code, open_date, close_date, prescribing_setting)
  SELECT r.code, r.address, r.postcode, r.phone, r.la_code, r.status_code, r.open_date, r.close_date, r.setting
  FROM feed_ref r WHERE NOT EXISTS (SELECT 1 FROM ims.gp_practice g WHERE g.code = r.code);

  WITH o AS (
    UPDATE ims.organisation o SET name = r.name, postcode = r.postcode, active = r.active
      FROM feed_ref r
     WHERE r.known AND o.code = r.code AND (o.name, o.postcode, o.active) IS DISTINCT FROM (r.name, r.postcode, r.active)
    RETURNING o.code),
  g AS (
    UPDATE ims.gp_practice g
       SET address = r.address, postcode = r.postcode, phone = r.phone, la_code = coalesce(r.la_code, g.la_code),
           status_code = r.status_code, open_date = r.open_date, close_date = r.close_date, prescribing_setting = r.setting
      FROM feed_ref r
     WHERE r.known AND g.code = r.code
       AND (g.address, g.postcode, g.phone, g.la_code, g.status_code, g.open_date, g.close_date, g.prescribing_setting)
           IS DISTINCT FROM (r.address, r.postcode, r.phone, coalesce(r.la_code, g.la_code), r.status_code, r.open_date,
                             r.close_date, r.setting::smallint)
    RETURNING g.code)
  SELECT count(*) INTO v_updated FROM (SELECT code FROM o UNION SELECT code FROM g) x;
  RETURN jsonb_build_object('applied', v_rows, 'added', v_added, 'updated', v_updated,
                            'unchanged', v_rows - v_outside - v_other - v_added - v_updated, 'outside', v_outside,
                            'other_settings', v_other);
END
$$;

-- ---------------------------------------------------------------------------------------
-- GIAS schools.

CREATE FUNCTION ims.feed_validate_gias_schools(p_import_id bigint, p_stage regclass, p_today date) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.feed_require_reference_importer();
  DROP TABLE IF EXISTS pg_temp.feed_ref;
  EXECUTE format($f$
    CREATE TEMP TABLE feed_ref ON COMMIT DROP AS
    SELECT s.row_no, nullif(btrim(s.urn), '') AS urn, nullif(btrim(s.la_number), '') AS la_number,
           nullif(btrim(s.establishment_name), '') AS name, nullif(btrim(s.type_of_establishment), '') AS establishment_type,
           nullif(btrim(s.establishment_status), '') AS status,
           nullif(btrim(s.open_date), '') AS open_raw, ims.feed_date_dmy(btrim(s.open_date)) AS open_date,
           nullif(btrim(s.close_date), '') AS close_raw, ims.feed_date_dmy(btrim(s.close_date)) AS close_date,
           nullif(btrim(s.phase_of_education), '') AS phase_raw,
           CASE WHEN btrim(s.type_of_establishment) ILIKE '%%special%%' THEN 'SPECIAL'
                ELSE CASE lower(btrim(s.phase_of_education))
                       WHEN 'primary' THEN 'PRIMARY' WHEN 'middle deemed primary' THEN 'PRIMARY'
                       WHEN 'secondary' THEN 'SECONDARY' WHEN 'middle deemed secondary' THEN 'SECONDARY'
                       WHEN '16 plus' THEN 'SECONDARY' WHEN 'all-through' THEN 'ALL_THROUGH'
                       WHEN 'nursery' THEN 'NONE' WHEN 'not applicable' THEN 'NONE' END END AS phase,
           nullif(btrim(s.statutory_low_age), '') AS low_raw, ims.feed_int(btrim(s.statutory_low_age)) AS low_age,
           nullif(btrim(s.statutory_high_age), '') AS high_raw, ims.feed_int(btrim(s.statutory_high_age)) AS high_age,
           nullif(btrim(s.postcode), '') AS postcode_raw, ims.feed_postcode(btrim(s.postcode)) AS postcode,
           upper(nullif(btrim(s.district_code), '')) AS la_code,
           (la.code IS NOT NULL OR sc.urn IS NOT NULL) AS inside, la.code AS known_la
    FROM %s s
    LEFT JOIN ims.local_authority la ON la.code = upper(nullif(btrim(s.district_code), ''))
    LEFT JOIN ims.school sc ON sc.urn = btrim(s.urn)
    WHERE s.parse_error IS NULL$f$, p_stage);
  INSERT INTO ims.feed_reject (import_id, row_no, field, reason)
  SELECT p_import_id, r.row_no, c.field, c.reason
  FROM feed_ref r
  CROSS JOIN LATERAL (VALUES
    (r.urn IS NULL, 'URN', 'The URN is required.'),
    (r.urn !~ '^[1-9][0-9]{5}$', 'URN', 'The URN is not a school''s unique reference number (6 digits).'),
    (r.urn IN ('999999', '888888'), 'URN', 'This URN is kept for children educated at home or at an unknown school.'),
    (r.name IS NULL, 'EstablishmentName', 'The establishment name is required.'),
    (length(r.name) > 200, 'EstablishmentName', 'The establishment name is at most 200 characters.'),
    (r.status IS NULL, 'EstablishmentStatus (name)', 'The establishment status is required.'),
    (r.status NOT IN ('Open', 'Closed', 'Open, but proposed to close', 'Proposed to open'), 'EstablishmentStatus (name)',
     'Unknown establishment status ' || left(r.status, 40) || '.'),
    (r.phase_raw IS NOT NULL AND r.phase IS NULL, 'PhaseOfEducation (name)', 'Unknown phase of education ' || left(r.phase_raw, 40) || '.'),
    (r.phase_raw IS NULL AND r.phase IS NULL, 'PhaseOfEducation (name)', 'The phase of education is required.'),
    (r.open_raw IS NOT NULL AND r.open_date IS NULL, 'OpenDate', 'The open date is not a real date written DD-MM-YYYY.'),
    (r.close_raw IS NOT NULL AND r.close_date IS NULL, 'CloseDate', 'The close date is not a real date written DD-MM-YYYY.'),
    (r.close_date < r.open_date, 'CloseDate', 'The close date is before the open date.'),
    (r.low_raw IS NOT NULL AND coalesce(r.low_age, 99) > 25, 'StatutoryLowAge', 'The statutory low age is a whole number from 0 to 25.'),
    (r.high_raw IS NOT NULL AND coalesce(r.high_age, 99) > 25, 'StatutoryHighAge', 'The statutory high age is a whole number from 0 to 25.'),
    (r.high_age < r.low_age, 'StatutoryHighAge', 'The statutory high age is below the low age.'),
    (r.postcode_raw IS NOT NULL AND r.postcode IS NULL, 'Postcode', 'The postcode is not a valid UK postcode.')
  ) AS c(bad, field, reason)
  WHERE c.bad;
  DELETE FROM feed_ref r USING ims.feed_reject j WHERE j.import_id = p_import_id AND j.row_no = r.row_no;
  PERFORM ims.feed_ref_repeats(p_import_id, 'urn', 'URN', 'URN');
END
$$;

-- Schools in the register's local authorities, and any school already on it (a child's school
-- over the border), are brought up to date; a closed school is kept with its status and date.
CREATE FUNCTION ims.feed_apply_gias_schools(p_import_id bigint, p_stage regclass, p_today date) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_rows integer;
  v_outside integer;
  v_added integer;
  v_updated integer;
BEGIN
  SELECT count(*), count(*) FILTER (WHERE NOT inside) INTO v_rows, v_outside FROM feed_ref;
  WITH u AS (
    UPDATE ims.school s
       SET name = r.name, phase = r.phase, la_code = r.known_la, postcode = r.postcode, la_number = r.la_number,
           establishment_type = r.establishment_type, status = r.status, open_date = r.open_date, close_date = r.close_date,
           low_age = r.low_age, high_age = r.high_age
      FROM feed_ref r
     WHERE r.inside AND s.urn = r.urn
       AND (s.name, s.phase, s.la_code, s.postcode, s.la_number, s.establishment_type, s.status, s.open_date, s.close_date,
            s.low_age, s.high_age)
           IS DISTINCT FROM (r.name, r.phase, r.known_la, r.postcode, r.la_number, r.establishment_type, r.status, r.open_date,
                             r.close_date, r.low_age::smallint, r.high_age::smallint)
    RETURNING 1),
  i AS (
    INSERT INTO ims.school (urn, name, phase, la_code, postcode, la_number, establishment_type, status, open_date, close_date,
                            low_age, high_age)
    SELECT r.urn, r.name, r.phase, r.known_la, r.postcode, r.la_number, r.establishment_type, r.status, r.open_date, r.close_date,
           r.low_age, r.high_age
    FROM feed_ref r WHERE r.inside AND NOT EXISTS (SELECT 1 FROM ims.school s WHERE s.urn = r.urn)
    RETURNING 1)
  SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM i) INTO v_updated, v_added;
  RETURN jsonb_build_object('applied', v_rows, 'added', v_added, 'updated', v_updated,
                            'unchanged', v_rows - v_outside - v_added - v_updated, 'outside', v_outside);
END
$$;

REVOKE EXECUTE ON FUNCTION
  ims.feed_validate_onspd_postcodes(bigint, regclass, date), ims.feed_apply_onspd_postcodes(bigint, regclass, date),
  ims.feed_validate_imd_lsoa(bigint, regclass, date), ims.feed_apply_imd_lsoa(bigint, regclass, date),
  ims.feed_validate_ods_gp_practices(bigint, regclass, date), ims.feed_apply_ods_gp_practices(bigint, regclass, date),
  ims.feed_validate_gias_schools(bigint, regclass, date), ims.feed_apply_gias_schools(bigint, regclass, date) FROM PUBLIC;

INSERT INTO ims.feed_kind (code, label, columns, validate_fn, apply_fn) VALUES
  ('onspd-postcodes', 'Postcodes: ONS postcode directory',
   ARRAY['pcds', 'dointr', 'doterm', 'oslaua', 'lsoa21', 'icb', 'rgn'],
   'ims.feed_validate_onspd_postcodes', 'ims.feed_apply_onspd_postcodes'),
  ('imd-lsoa', 'Deprivation: English indices (IMD) by LSOA',
   ARRAY['lsoa_code', 'lsoa_name', 'la_code', 'la_name', 'imd_rank', 'imd_decile'],
   'ims.feed_validate_imd_lsoa', 'ims.feed_apply_imd_lsoa'),
  ('ods-gp-practices', 'GP practices: ODS (epraccur)',
   ARRAY['organisation_code', 'name', 'national_grouping', 'high_level_health_geography', 'address_line_1', 'address_line_2',
         'address_line_3', 'address_line_4', 'address_line_5', 'postcode', 'open_date', 'close_date', 'status_code',
         'organisation_sub_type_code', 'commissioner', 'join_provider_purchaser_date', 'left_provider_purchaser_date',
         'contact_telephone_number', 'null_19', 'null_20', 'null_21', 'amended_record_indicator', 'null_23',
         'provider_purchaser', 'null_25', 'prescribing_setting', 'null_27'],
   'ims.feed_validate_ods_gp_practices', 'ims.feed_apply_ods_gp_practices'),
  ('gias-schools', 'Schools: GIAS establishments',
   ARRAY['urn', 'la_number', 'establishment_name', 'type_of_establishment', 'establishment_status', 'open_date', 'close_date',
         'phase_of_education', 'statutory_low_age', 'statutory_high_age', 'postcode', 'district_code'],
   'ims.feed_validate_gias_schools', 'ims.feed_apply_gias_schools');
