-- Cohort counts at regional scale: who matches a cohort definition (main-api/contract/cohorts.ts,
-- docs/cohort-definition.md), how many each exclusion leaves out, and where they are, counted in
-- the database as the signed-in user within their scope.
--
-- Plain SQL over the register (person, flags, events, contact details) takes seconds for a
-- regional cohort. Two derived tables make it a fraction of that:
--
-- * ims.cohort_fact: one narrow row per person with what the criteria read (date of birth, sex,
--   places, deprivation, whether they have died or left, whether they can be contacted, which
--   kinds of clinical flag they have, which current campaigns they were vaccinated in). Exact,
--   and read for anything a cell cannot decide.
-- * ims.cohort_cell: those rows counted by month of birth, sex, local authority, IMD decile and
--   the small state columns: a few hundred thousand cells for two million people. A count reads
--   the cells, deciding each cell true, false or "cannot tell" (SQL's NULL, whose AND, OR and NOT
--   are exactly the three-valued logic needed); only the cells it cannot tell about (a birthday
--   boundary inside the month, a flag with an end date) are counted person by person.
--
-- Both are kept fresh by the schedule status queue (0009): whoever changes a person notes them,
-- and when the status drain is done with a person their fact row and cell are replaced in the
-- same transaction; the population refresh rebuilds both. Nobody but the owner reads or writes
-- them: counts come from api.cohort_count, members from ims.cohort_member_ids.

-- ---------------------------------------------------------------------------------------
-- Reference data the definitions name

-- Ethnic groups, as main-api/shared/vocabulary/ethnicity.ts (checked by a test).
ALTER TABLE ims.ethnic_category ADD COLUMN ethnic_group text;
UPDATE ims.ethnic_category SET ethnic_group = CASE
  WHEN code IN ('A', 'B', 'C') THEN 'WHITE'
  WHEN code IN ('D', 'E', 'F', 'G') THEN 'MIXED'
  WHEN code IN ('H', 'J', 'K', 'L') THEN 'ASIAN'
  WHEN code IN ('M', 'N', 'P') THEN 'BLACK'
  WHEN code IN ('R', 'S') THEN 'OTHER'
  ELSE 'NOT_STATED' END;
ALTER TABLE ims.ethnic_category ALTER COLUMN ethnic_group SET NOT NULL;

-- Which antigens each schedule series protects against, as the shipped rule files say (checked
-- by a test), so that "due for MMR" can name an antigen.
CREATE TABLE ims.series_antigen (
  series_id text NOT NULL,
  antigen   text NOT NULL REFERENCES ims.antigen (code),
  PRIMARY KEY (series_id, antigen)
);
INSERT INTO ims.series_antigen (series_id, antigen)
SELECT s, a FROM (VALUES
  ('HEPB-NEONATAL', '{HEPB}'), ('BCG', '{BCG}'),
  ('SIX-IN-1', '{DIPHTHERIA,TETANUS,PERTUSSIS,POLIO,HIB,HEPB}'), ('FIVE-IN-1', '{DIPHTHERIA,TETANUS,PERTUSSIS,POLIO,HIB}'),
  ('ROTAVIRUS', '{ROTAVIRUS}'), ('MENB', '{MENB}'), ('PCV', '{PCV}'), ('HIB-AFTER-1', '{HIB}'),
  ('MMR', '{MEASLES,MUMPS,RUBELLA}'), ('VARICELLA', '{VARICELLA}'), ('PRESCHOOL', '{DIPHTHERIA,TETANUS,PERTUSSIS,POLIO}'),
  ('HPV', '{HPV}'), ('HPV-IMMUNO', '{HPV}'), ('TD-IPV', '{DIPHTHERIA,TETANUS,POLIO}'), ('MENACWY', '{MENACWY}'),
  ('PPV23', '{PPV23}'), ('SHINGLES', '{SHINGLES}'), ('SHINGLES-IMMUNO', '{SHINGLES}'), ('RSV-OLDER', '{RSV}'),
  ('RSV-CARE-HOME', '{RSV}'), ('PERTUSSIS-PREGNANCY', '{PERTUSSIS}'), ('RSV-PREGNANCY', '{RSV}')
) AS v(s, list), unnest(list::text[]) AS a
WHERE a IN (SELECT code FROM ims.antigen);
GRANT SELECT ON ims.series_antigen TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;

-- The age bands a count is broken down by, in whole years on the definition's reference date:
-- the lower end of each band, as AGE_BANDS in main-api/shared/vocabulary/cohorts.ts.
CREATE FUNCTION ims.cohort_age_band_starts() RETURNS integer[]
LANGUAGE sql IMMUTABLE AS $$ SELECT '{0,5,12,18,50,65,75,85}'::integer[] $$;

-- A kind of clinical flag as one bit (the fact and cell tables hold kinds, not each flag).
CREATE FUNCTION ims.flag_category_bit(p_category text) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p_category WHEN 'RISK_GROUP' THEN 1 WHEN 'PREGNANCY' THEN 2 WHEN 'RESIDENCE' THEN 4 WHEN 'CARER' THEN 8
                         WHEN 'CONTACT' THEN 16 WHEN 'FRAILTY' THEN 32 ELSE 64 END::smallint
$$;

-- A birth date's month, as a whole number (months since year 0): what the cells are keyed by.
CREATE FUNCTION ims.month_number(p_day date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (extract(year FROM p_day) * 12 + extract(month FROM p_day) - 1)::integer
$$;

-- ---------------------------------------------------------------------------------------
-- The derived tables

-- What the fact rows were classified against: flags open on as_of count as "open" (active on
-- any later date), and vaccinations in the campaigns current on as_of are bits (in this order).
CREATE TABLE ims.cohort_fact_state (
  only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  as_of      date NOT NULL,
  campaigns  text[] NOT NULL CHECK (cardinality(campaigns) <= 15),
  rebuilt_at timestamptz,
  rebuilt_by xid8
);
INSERT INTO ims.cohort_fact_state (as_of, campaigns) VALUES ('2026-12-01', '{}');

CREATE TABLE ims.cohort_fact (
  person_id  bigint PRIMARY KEY,
  cell_id    integer NOT NULL,
  dob        date NOT NULL,
  sex        text NOT NULL,
  ethnic     text,
  area       text,
  district   text,
  sector     text,
  lsoa       text,
  imd        smallint,
  la         text,
  practice   text,
  school     text,
  year_group smallint,
  -- 1 has died, 2 no longer registered, 4 opted out of every channel they have details for,
  -- 8 no usable contact details at all.
  state      smallint NOT NULL,
  -- Kinds of flag (ims.flag_category_bit) open since as_of, and the kinds of any other flag.
  cat_open   smallint NOT NULL,
  cat_other  smallint NOT NULL,
  -- Vaccinated in the n-th of cohort_fact_state.campaigns: bit n - 1.
  given      integer NOT NULL
);
CREATE INDEX cohort_fact_cell_idx ON ims.cohort_fact (cell_id);

-- The combinations of the small columns that occur (a few hundred): cells name one by id, and a
-- count decides the criteria on them once per combination and birth year, not once per cell.
CREATE TABLE ims.cohort_small (
  small_id  smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  state     smallint NOT NULL,
  cat_open  smallint NOT NULL,
  cat_other smallint NOT NULL,
  given     integer NOT NULL,
  UNIQUE (state, cat_open, cat_other, given)
);

-- People counted by month of birth, combination, local authority, IMD decile and sex (no NULLs:
-- '' and 0 stand for not known, so the keys compare and index plainly) ...
CREATE TABLE ims.cohort_cell (
  cell_id  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bm       integer NOT NULL,
  small_id smallint NOT NULL,
  la       text NOT NULL,
  imd      smallint NOT NULL,
  sex      text NOT NULL,
  -- Changed by deltas (an upsert proposes the delta itself, which may be negative).
  n        integer NOT NULL,
  UNIQUE (small_id, la, imd, sex, bm)
);
-- ... and the same by year of birth: what a count reads first. Only a year a birthday boundary
-- (or something else the year cannot decide) falls in is read again by month, and only a month
-- such a boundary falls inside person by person. The years run from April to March (yr is the
-- year of the April), so that the 31 March seasonal campaigns take their ages on falls between
-- years: such a count never reads a month.
CREATE TABLE ims.cohort_ycell (
  yr       integer NOT NULL,
  small_id smallint NOT NULL,
  la       text NOT NULL,
  imd      smallint NOT NULL,
  sex      text NOT NULL,
  n        integer NOT NULL,
  PRIMARY KEY (yr, small_id, la, imd, sex)
);

-- Owner only: row-level security without a policy hides them from anyone granted by mistake.
REVOKE ALL ON ims.cohort_fact, ims.cohort_small, ims.cohort_cell, ims.cohort_ycell, ims.cohort_fact_state FROM PUBLIC;
ALTER TABLE ims.cohort_fact ENABLE ROW LEVEL SECURITY;
ALTER TABLE ims.cohort_small ENABLE ROW LEVEL SECURITY;
ALTER TABLE ims.cohort_cell ENABLE ROW LEVEL SECURITY;
ALTER TABLE ims.cohort_ycell ENABLE ROW LEVEL SECURITY;
ALTER TABLE ims.cohort_fact_state ENABLE ROW LEVEL SECURITY;

-- The fact rows for some persons (all when p_ids is NULL), as of the stored classification.
-- Built per call so that a few persons are read by their keys and everyone by scans.
CREATE FUNCTION ims.cohort_fact_rows(p_ids bigint[])
RETURNS TABLE (person_id bigint, dob date, sex text, ethnic text, area text, district text, sector text, lsoa text,
               imd smallint, la text, practice text, school text, year_group smallint, state smallint,
               cat_open smallint, cat_other smallint, given integer)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
  v_where text := CASE WHEN p_ids IS NULL THEN 'true' ELSE '%s = ANY ($1)' END;
BEGIN
  RETURN QUERY EXECUTE format($q$
  WITH st AS (SELECT as_of, campaigns FROM ims.cohort_fact_state),
  fl AS (
    SELECT f.person_id,
           bit_or(CASE WHEN f.to_date IS NULL AND f.from_date <= st.as_of THEN ims.flag_category_bit(t.category) ELSE 0 END)::smallint AS cat_open,
           bit_or(CASE WHEN f.to_date IS NULL AND f.from_date <= st.as_of THEN 0 ELSE ims.flag_category_bit(t.category) END)::smallint AS cat_other
    FROM ims.clinical_flag f JOIN ims.flag_type t ON t.code = f.flag_code, st
    WHERE %1$s
    GROUP BY f.person_id),
  gv AS (
    SELECT e.person_id, bit_or(1 << (array_position(st.campaigns, e.programme_code) - 1))::integer AS given
    FROM ims.vaccination_event e, st
    WHERE %2$s AND e.programme_code = ANY (st.campaigns) AND e.outcome = 'GIVEN' AND e.status = 'ACTIVE'
    GROUP BY e.person_id)
  SELECT p.id, p.date_of_birth, p.gender_code, p.ethnic_category, p.postcode_area, p.postcode_district, p.postcode_sector,
         p.lsoa_code, p.imd_decile, p.la_code, p.practice_code, p.school_urn, p.year_group,
         (CASE WHEN p.date_of_death IS NOT NULL OR p.registration_status = 'DECEASED' THEN 1 ELSE 0 END
          | CASE WHEN p.registration_status = 'DEREGISTERED' THEN 2 ELSE 0 END
          | CASE WHEN u.details AND NOT u.usable THEN 4 ELSE 0 END
          | CASE WHEN NOT u.details THEN 8 ELSE 0 END)::smallint,
         coalesce(fl.cat_open, 0::smallint), coalesce(fl.cat_other, 0::smallint), coalesce(gv.given, 0)
  FROM ims.person p
  LEFT JOIN ims.contact_details d ON d.person_id = p.id
  -- A channel is usable when its details are there and the person has not opted out of it.
  CROSS JOIN LATERAL (
    SELECT coalesce((d.mobile IS NOT NULL AND NOT d.opt_out_sms) OR (d.email IS NOT NULL AND NOT d.opt_out_email)
                      OR (d.address_line1 IS NOT NULL AND p.postcode IS NOT NULL AND NOT d.opt_out_letter), false) AS usable,
           coalesce(d.mobile IS NOT NULL OR d.email IS NOT NULL OR (d.address_line1 IS NOT NULL AND p.postcode IS NOT NULL), false) AS details
  ) u
  LEFT JOIN fl ON fl.person_id = p.id
  LEFT JOIN gv ON gv.person_id = p.id
  WHERE %3$s$q$, format(v_where, 'f.person_id'), format(v_where, 'e.person_id'), format(v_where, 'p.id'))
  USING p_ids;
END
$$;

-- Replaces the fact rows (and cell counts) of some persons. Cells are changed in key order, so
-- two transactions doing this at once take their row locks in the same order and never deadlock.
-- (No temporary tables: this runs as the owner inside users' transactions, where a table of the
-- same name the user made first would be used instead.)
CREATE FUNCTION ims.cohort_fact_refresh(p_ids bigint[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off AS $$
BEGIN
  IF p_ids IS NULL OR cardinality(p_ids) = 0 THEN
    RETURN;
  END IF;
  -- Lock the persons' fact rows first, so two refreshes of one person run one after the other.
  PERFORM 1 FROM ims.cohort_fact f WHERE f.person_id = ANY (p_ids) ORDER BY f.person_id FOR UPDATE;
  -- New combinations first, in a statement of their own so the next one sees them. (Upserting
  -- them inside the next statement would read the rows once, but would lock the common
  -- combinations' rows and so serialise every drain.)
  INSERT INTO ims.cohort_small (state, cat_open, cat_other, given)
  SELECT DISTINCT r.state, r.cat_open, r.cat_other, r.given FROM ims.cohort_fact_rows(p_ids) r ORDER BY 1, 2, 3, 4
  ON CONFLICT DO NOTHING;
  WITH fresh AS MATERIALIZED (
    SELECT r.*, s.small_id, ims.month_number(r.dob) AS bm, coalesce(r.la, '') AS cla, coalesce(r.imd, 0)::smallint AS cimd
    FROM ims.cohort_fact_rows(p_ids) r
    JOIN ims.cohort_small s ON (s.state, s.cat_open, s.cat_other, s.given) = (r.state, r.cat_open, r.cat_other, r.given)),
  delta AS MATERIALIZED (
    SELECT bm, small_id, la, imd, sex, sum(d)::integer AS d
    FROM (SELECT c.bm, c.small_id, c.la, c.imd, c.sex, -1 AS d
          FROM ims.cohort_fact f JOIN ims.cohort_cell c ON c.cell_id = f.cell_id WHERE f.person_id = ANY (p_ids)
          UNION ALL
          SELECT bm, small_id, cla, cimd, sex, 1 FROM fresh) x
    GROUP BY 1, 2, 3, 4, 5),
  cells AS (
    INSERT INTO ims.cohort_cell AS c (bm, small_id, la, imd, sex, n)
    SELECT bm, small_id, la, imd, sex, d FROM delta ORDER BY small_id, la, imd, sex, bm
    ON CONFLICT (small_id, la, imd, sex, bm) DO UPDATE SET n = c.n + excluded.n
    RETURNING c.cell_id, c.bm, c.small_id, c.la, c.imd, c.sex),
  years AS (
    INSERT INTO ims.cohort_ycell AS y (yr, small_id, la, imd, sex, n)
    SELECT (bm - 3) / 12, small_id, la, imd, sex, sum(d) FROM delta GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (yr, small_id, la, imd, sex) DO UPDATE SET n = y.n + excluded.n
    RETURNING 1),
  gone AS (DELETE FROM ims.cohort_fact f WHERE f.person_id = ANY (p_ids) AND f.person_id NOT IN (SELECT r.person_id FROM fresh r))
  INSERT INTO ims.cohort_fact AS f
  SELECT r.person_id, c.cell_id, r.dob, r.sex, r.ethnic, r.area, r.district, r.sector, r.lsoa, r.imd, r.la, r.practice, r.school,
         r.year_group, r.state, r.cat_open, r.cat_other, r.given
  FROM fresh r JOIN cells c ON (c.small_id, c.la, c.imd, c.sex, c.bm) = (r.small_id, r.cla, r.cimd, r.sex, r.bm)
  ON CONFLICT (person_id) DO UPDATE SET
    cell_id = excluded.cell_id, dob = excluded.dob, sex = excluded.sex, ethnic = excluded.ethnic, area = excluded.area,
    district = excluded.district, sector = excluded.sector, lsoa = excluded.lsoa, imd = excluded.imd, la = excluded.la,
    practice = excluded.practice, school = excluded.school, year_group = excluded.year_group, state = excluded.state,
    cat_open = excluded.cat_open, cat_other = excluded.cat_other, given = excluded.given;
END
$$;

-- Rebuilds the tables for everyone, classified as of p_as_of (the stored date when NULL): the
-- population refresh calls it in its transaction. Readers keep the old counts until it commits.
CREATE FUNCTION ims.cohort_facts_rebuild(p_as_of date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET work_mem = '256MB' AS $$
DECLARE
  v_rows integer;
BEGIN
  UPDATE ims.cohort_fact_state SET
    as_of = coalesce(p_as_of, as_of),
    -- Seasonal programmes running on the date or starting within a year (the next season).
    campaigns = ARRAY(SELECT p.code FROM ims.programme p
                      WHERE p.kind IN ('SEASONAL_FLU', 'COVID19') AND p.start_date <= coalesce(p_as_of, as_of) + 365
                        AND (p.end_date IS NULL OR p.end_date >= coalesce(p_as_of, as_of))
                      ORDER BY p.start_date, p.code LIMIT 15),
    rebuilt_at = now(), rebuilt_by = pg_current_xact_id();
  CREATE TEMP TABLE cohort_fact_build ON COMMIT DROP AS
    SELECT r.*, ims.month_number(r.dob) AS bm, coalesce(r.la, '') AS cla, coalesce(r.imd, 0)::smallint AS cimd
    FROM ims.cohort_fact_rows(NULL) r;
  TRUNCATE ims.cohort_fact, ims.cohort_cell, ims.cohort_ycell, ims.cohort_small RESTART IDENTITY;
  INSERT INTO ims.cohort_small (state, cat_open, cat_other, given)
  SELECT DISTINCT state, cat_open, cat_other, given FROM cohort_fact_build ORDER BY 1, 2, 3, 4;
  CREATE TEMP TABLE cohort_fact_keyed ON COMMIT DROP AS
    SELECT b.*, s.small_id FROM cohort_fact_build b
    JOIN ims.cohort_small s ON (s.state, s.cat_open, s.cat_other, s.given) = (b.state, b.cat_open, b.cat_other, b.given);
  -- In key order, so that a count's probes by key read neighbouring pages.
  INSERT INTO ims.cohort_cell (bm, small_id, la, imd, sex, n)
  SELECT bm, small_id, cla, cimd, sex, count(*) FROM cohort_fact_keyed GROUP BY 1, 2, 3, 4, 5 ORDER BY 2, 3, 4, 5, 1;
  INSERT INTO ims.cohort_ycell (yr, small_id, la, imd, sex, n)
  SELECT (bm - 3) / 12, small_id, la, imd, sex, sum(n) FROM ims.cohort_cell GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;
  INSERT INTO ims.cohort_fact
  SELECT b.person_id, c.cell_id, b.dob, b.sex, b.ethnic, b.area, b.district, b.sector, b.lsoa, b.imd, b.la, b.practice, b.school,
         b.year_group, b.state, b.cat_open, b.cat_other, b.given
  FROM cohort_fact_keyed b JOIN ims.cohort_cell c ON (c.small_id, c.la, c.imd, c.sex, c.bm) = (b.small_id, b.cla, b.cimd, b.sex, b.bm);
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  DROP TABLE cohort_fact_keyed;
  DROP TABLE cohort_fact_build;
  ANALYZE ims.cohort_fact;
  ANALYZE ims.cohort_cell;
  ANALYZE ims.cohort_ycell;
  ANALYZE ims.cohort_small;
  RETURN v_rows;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.cohort_fact_rows(bigint[]), ims.cohort_fact_refresh(bigint[]), ims.cohort_facts_rebuild(date) FROM PUBLIC;

-- When the status drain (or a refresh) is done with persons, their fact rows follow, in the
-- same transaction. A transaction that rebuilt everything (the population refresh) has nothing
-- left to do.
CREATE FUNCTION ims.cohort_fact_follow_queue() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM ims.cohort_fact_state WHERE rebuilt_by = pg_current_xact_id()) THEN
    RETURN NULL;
  END IF;
  PERFORM ims.cohort_fact_refresh(ARRAY(SELECT DISTINCT person_id FROM old_rows));
  RETURN NULL;
END
$$;
CREATE TRIGGER cohort_fact_follow AFTER DELETE ON ims.series_status_stale REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ims.cohort_fact_follow_queue();

-- Cohorts also read where a person lives and is registered, and how to reach them: changes to
-- those go on the same queue (the status recomputation they cause is cheap and harmless).
CREATE FUNCTION ims.cohort_note_person() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.series_status_note(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (n.ethnic_category, n.postcode, n.lsoa_code, n.imd_decile, n.la_code, n.practice_code, n.school_urn, n.year_group,
           n.registration_status)
          IS DISTINCT FROM
          (o.ethnic_category, o.postcode, o.lsoa_code, o.imd_decile, o.la_code, o.practice_code, o.school_urn, o.year_group,
           o.registration_status)));
  RETURN NULL;
END
$$;
CREATE TRIGGER cohort_note_update AFTER UPDATE ON ims.person REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ims.cohort_note_person();

DO $$
BEGIN
  EXECUTE 'CREATE TRIGGER cohort_note_insert AFTER INSERT ON ims.contact_details REFERENCING NEW TABLE AS new_rows '
          'FOR EACH STATEMENT EXECUTE FUNCTION ims.series_status_note_rows()';
  EXECUTE 'CREATE TRIGGER cohort_note_update AFTER UPDATE ON ims.contact_details REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
          'FOR EACH STATEMENT EXECUTE FUNCTION ims.series_status_note_rows()';
  EXECUTE 'CREATE TRIGGER cohort_note_delete AFTER DELETE ON ims.contact_details REFERENCING OLD TABLE AS old_rows '
          'FOR EACH STATEMENT EXECUTE FUNCTION ims.series_status_note_rows()';
END
$$;

-- ---------------------------------------------------------------------------------------
-- Building a count's statement from fixed pieces
--
-- The definition arrives as jsonb and is checked again here, field by field, whatever the
-- client checked: the client's checks are for the user, these are the boundary. Each criterion
-- becomes fixed pieces of SQL: one exact over a fact row (f), and over a cell (c) one that may
-- say NULL for "cannot tell" (and one for the cell's combination and birth period alone).
-- Values never enter the text: they are appended to three arrays bound as $1 (dates),
-- $2 (integers) and $3 (text), and a piece names them by position ($1[3], $3[5:9]); positions
-- are integers this function counted.

CREATE TYPE ims.cohort_sql AS (
  exact    text,
  -- Over a cell c: its birth months c.bm_lo to c.bm_hi, its combination's small columns and its
  -- local authority, IMD decile and sex.
  cell     text,
  -- Over a combination and birth period alone: NULL wherever the cell's place or sex decides.
  key      text,
  -- The definition's campaign (a programme code), for the criteria about its invitations.
  campaign text,
  d        date[],
  i        integer[],
  t        text[],
  cellable boolean
);

CREATE FUNCTION ims.cohort_refuse(p_path text, p_message text) RETURNS void
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RAISE EXCEPTION '%: %', p_path, p_message USING ERRCODE = 'invalid_parameter_value';
END
$$;

-- Refuses keys other than those allowed (an unknown field is a mistake, not something to ignore).
CREATE FUNCTION ims.cohort_only_keys(p_obj jsonb, p_path text, p_allowed text[]) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  k text;
BEGIN
  IF jsonb_typeof(p_obj) IS DISTINCT FROM 'object' THEN
    PERFORM ims.cohort_refuse(p_path, 'expected an object');
  END IF;
  SELECT key INTO k FROM jsonb_object_keys(p_obj) AS key WHERE NOT key = ANY (p_allowed) LIMIT 1;
  IF k IS NOT NULL THEN
    PERFORM ims.cohort_refuse(p_path, 'unknown field ' || left(k, 40));
  END IF;
END
$$;

CREATE FUNCTION ims.cohort_date(p_value jsonb, p_path text) RETURNS date
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s text := CASE WHEN jsonb_typeof(p_value) = 'string' THEN p_value #>> '{}' END;
  d date;
BEGIN
  IF s IS NULL OR s !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
    PERFORM ims.cohort_refuse(p_path, 'expected a date written YYYY-MM-DD');
  END IF;
  BEGIN
    d := to_date(s, 'YYYY-MM-DD');
  EXCEPTION WHEN OTHERS THEN
    d := NULL;
  END;
  IF d IS NULL OR to_char(d, 'YYYY-MM-DD') <> s OR d < '1900-01-01' OR d > '2149-12-31' THEN
    PERFORM ims.cohort_refuse(p_path, 'use a real date from 1900 to 2149');
  END IF;
  RETURN d;
END
$$;

CREATE FUNCTION ims.cohort_int(p_value jsonb, p_path text, p_min integer, p_max integer) RETURNS integer
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n numeric := CASE WHEN jsonb_typeof(p_value) = 'number' THEN (p_value #>> '{}')::numeric END;
BEGIN
  IF n IS NULL OR n <> trunc(n) OR n < p_min OR n > p_max THEN
    PERFORM ims.cohort_refuse(p_path, format('expected a whole number from %s to %s', p_min, p_max));
  END IF;
  RETURN n::integer;
END
$$;

-- A list of 1 to 500 codes, each of the given form (a fixed pattern of this file, never the
-- client's), repeats dropped.
CREATE FUNCTION ims.cohort_codes(p_value jsonb, p_path text, p_pattern text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_codes text[];
BEGIN
  IF jsonb_typeof(p_value) IS DISTINCT FROM 'array' OR jsonb_array_length(p_value) NOT BETWEEN 1 AND 500 THEN
    PERFORM ims.cohort_refuse(p_path, 'expected a list of 1 to 500 codes');
  END IF;
  IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_value) AS e(v)
             WHERE jsonb_typeof(e.v) <> 'string' OR length(e.v #>> '{}') > 40 OR (e.v #>> '{}') !~ p_pattern) THEN
    PERFORM ims.cohort_refuse(p_path, 'a code is not of the expected form');
  END IF;
  SELECT array_agg(DISTINCT e.v #>> '{}') INTO v_codes FROM jsonb_array_elements(p_value) AS e(v);
  RETURN v_codes;
END
$$;

-- Codes that must be rows of a reference list (the vocabulary the database holds).
CREATE FUNCTION ims.cohort_known(p_codes text[], p_known text[], p_path text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT p_codes <@ p_known THEN
    PERFORM ims.cohort_refuse(p_path, 'unknown code ' || left((SELECT c FROM unnest(p_codes) c WHERE NOT c = ANY (p_known) LIMIT 1), 40));
  END IF;
  RETURN p_codes;
END
$$;

-- Piece helpers: append a value and return how a piece names it.
CREATE FUNCTION ims.cohort_list_ref(INOUT s ims.cohort_sql, p_codes text[], OUT ref text)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  first integer := coalesce(cardinality(s.t), 0) + 1;
BEGIN
  s.t := coalesce(s.t, '{}') || p_codes;
  ref := format('$3[%s:%s]', first, first + cardinality(p_codes) - 1);
END
$$;
CREATE FUNCTION ims.cohort_date_ref(INOUT s ims.cohort_sql, p_day date, OUT ref text)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  s.d := coalesce(s.d, '{}') || p_day;
  ref := format('$1[%s]', cardinality(s.d));
END
$$;
CREATE FUNCTION ims.cohort_int_ref(INOUT s ims.cohort_sql, p_value integer, OUT ref text)
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  s.i := coalesce(s.i, '{}') || p_value;
  ref := format('$2[%s]', cardinality(s.i));
END
$$;

-- Dates of birth from p_lo to p_hi (either may be NULL for open): exact, and by cell month.
CREATE FUNCTION ims.cohort_dob_range(s ims.cohort_sql, p_lo date, p_hi date) RETURNS ims.cohort_sql
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r ims.cohort_sql := s;
  x record;
  e text[] := '{}';
  full_lo integer := -1000000;
  full_hi integer := 1000000;
  part_lo integer := -1000000;
  part_hi integer := 1000000;
  a text; b text; c text; d text;
BEGIN
  IF p_lo IS NOT NULL THEN
    x := ims.cohort_date_ref(r, p_lo); r := x.s; e := e || ('f.dob >= ' || x.ref);
    part_lo := ims.month_number(p_lo);
    full_lo := part_lo + CASE WHEN extract(day FROM p_lo) = 1 THEN 0 ELSE 1 END;
  END IF;
  IF p_hi IS NOT NULL THEN
    x := ims.cohort_date_ref(r, p_hi); r := x.s; e := e || ('f.dob <= ' || x.ref);
    part_hi := ims.month_number(p_hi);
    full_hi := part_hi - CASE WHEN extract(month FROM p_hi + 1) <> extract(month FROM p_hi) THEN 0 ELSE 1 END;
  END IF;
  x := ims.cohort_int_ref(r, full_lo); r := x.s; a := x.ref;
  x := ims.cohort_int_ref(r, full_hi); r := x.s; b := x.ref;
  x := ims.cohort_int_ref(r, part_lo); r := x.s; c := x.ref;
  x := ims.cohort_int_ref(r, part_hi); r := x.s; d := x.ref;
  r.exact := '(' || CASE WHEN cardinality(e) = 0 THEN 'true' ELSE array_to_string(e, ' AND ') END || ')';
  r.cell := format('(CASE WHEN c.bm_lo >= %s AND c.bm_hi <= %s THEN true WHEN c.bm_hi < %s OR c.bm_lo > %s THEN false END)', a, b, c, d);
  r.key := r.cell;
  r.cellable := true;
  RETURN r;
END
$$;

-- An exact-only criterion (cells cannot tell).
CREATE FUNCTION ims.cohort_exact_only(s ims.cohort_sql, p_exact text) RETURNS ims.cohort_sql
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  s.exact := '(' || p_exact || ')';
  s.cell := 'NULL::boolean';
  s.key := 'NULL::boolean';
  s.cellable := false;
  RETURN s;
END
$$;

-- A code list matched against a column of both the fact row and the cell.
CREATE FUNCTION ims.cohort_in_list(s ims.cohort_sql, p_column text, p_codes text[], p_in_cells boolean) RETURNS ims.cohort_sql
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  x record;
BEGIN
  IF cardinality(p_codes) = 0 THEN
    s.exact := 'false'; s.cell := 'false'; s.key := 'false'; s.cellable := true;
    RETURN s;
  END IF;
  x := ims.cohort_list_ref(s, p_codes); s := x.s;
  s.exact := format('coalesce(f.%s = ANY (%s), false)', p_column, x.ref);
  s.key := 'NULL::boolean';
  IF p_in_cells THEN
    s.cell := format('(c.%s = ANY (%s))', p_column, x.ref);
    s.cellable := true;
  ELSE
    s.cell := 'NULL::boolean';
    s.cellable := false;
  END IF;
  RETURN s;
END
$$;

-- One node of the criteria tree: a group (all, any, not) or a criterion.
CREATE FUNCTION ims.cohort_node(p_node jsonb, p_path text, p_depth integer, p_ref date, s ims.cohort_sql)
RETURNS ims.cohort_sql
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r ims.cohort_sql := s;
  st record;
  k text;
  v jsonb;
  x record;
  y record;
  child ims.cohort_sql;
  pe text[] := '{}';
  pc text[] := '{}';
  pk text[] := '{}';
  all_cellable boolean := true;
  n integer;
  unit text;
  on_day date;
  lo date;
  hi date;
  codes text[];
  cats text[];
  mask integer;
  parts text[];
  lists text[];
  a text; b text;
BEGIN
  IF p_depth > 7 THEN
    PERFORM ims.cohort_refuse(p_path, 'groups nest at most 6 deep');
  END IF;
  IF jsonb_typeof(p_node) IS DISTINCT FROM 'object' OR (SELECT count(*) FROM jsonb_object_keys(p_node)) <> 1 THEN
    PERFORM ims.cohort_refuse(p_path, 'write one group or one criterion per object');
  END IF;
  SELECT key, value INTO k, v FROM jsonb_each(p_node);
  SELECT as_of, campaigns INTO st FROM ims.cohort_fact_state;

  IF k IN ('all', 'any') THEN
    IF jsonb_typeof(v) IS DISTINCT FROM 'array' OR jsonb_array_length(v) NOT BETWEEN 1 AND 50 THEN
      PERFORM ims.cohort_refuse(p_path || '.' || k, 'a group has 1 to 50 members');
    END IF;
    FOR n IN 0 .. jsonb_array_length(v) - 1 LOOP
      child := ims.cohort_node(v -> n, p_path || '.' || k || '[' || n || ']', p_depth + 1, p_ref, r);
      r := child;
      pe := pe || child.exact;
      pc := pc || child.cell;
      pk := pk || child.key;
      all_cellable := all_cellable AND child.cellable;
    END LOOP;
    r.exact := '(' || array_to_string(pe, CASE k WHEN 'all' THEN ' AND ' ELSE ' OR ' END) || ')';
    r.cell := '(' || array_to_string(pc, CASE k WHEN 'all' THEN ' AND ' ELSE ' OR ' END) || ')';
    r.key := '(' || array_to_string(pk, CASE k WHEN 'all' THEN ' AND ' ELSE ' OR ' END) || ')';
    r.cellable := all_cellable;
    RETURN r;
  ELSIF k = 'not' THEN
    child := ims.cohort_node(v, p_path || '.not', p_depth + 1, p_ref, r);
    r := child;
    r.exact := '(NOT ' || child.exact || ')';
    r.cell := '(NOT ' || child.cell || ')';
    r.key := '(NOT ' || child.key || ')';
    RETURN r;
  END IF;

  p_path := p_path || '.' || k;
  CASE k
  WHEN 'age' THEN
    PERFORM ims.cohort_only_keys(v, p_path, '{unit,min,max,on}');
    unit := coalesce(v ->> 'unit', 'years');
    IF v ? 'unit' AND (jsonb_typeof(v -> 'unit') <> 'string' OR unit NOT IN ('years', 'months', 'weeks')) THEN
      PERFORM ims.cohort_refuse(p_path || '.unit', 'years, months or weeks');
    END IF;
    IF NOT (v ? 'min' OR v ? 'max') THEN
      PERFORM ims.cohort_refuse(p_path, 'give min, max or both');
    END IF;
    on_day := CASE WHEN v ? 'on' THEN ims.cohort_date(v -> 'on', p_path || '.on') ELSE p_ref END;
    IF v ? 'min' THEN
      n := ims.cohort_int(v -> 'min', p_path || '.min', 0, CASE unit WHEN 'years' THEN 130 WHEN 'months' THEN 1560 ELSE 6800 END);
      -- At least n on the day: born on or before the day n years (months, weeks) earlier.
      hi := CASE unit WHEN 'years' THEN (on_day - make_interval(years => n))::date
                      WHEN 'months' THEN (on_day - make_interval(months => n))::date ELSE on_day - 7 * n END;
    END IF;
    IF v ? 'max' THEN
      n := ims.cohort_int(v -> 'max', p_path || '.max', 0, CASE unit WHEN 'years' THEN 130 WHEN 'months' THEN 1560 ELSE 6800 END);
      -- At most n: born after the day n + 1 years (months, weeks) earlier.
      lo := CASE unit WHEN 'years' THEN (on_day - make_interval(years => n + 1))::date
                      WHEN 'months' THEN (on_day - make_interval(months => n + 1))::date ELSE on_day - 7 * (n + 1) END + 1;
    END IF;
    RETURN ims.cohort_dob_range(r, lo, hi);
  WHEN 'dateOfBirth' THEN
    PERFORM ims.cohort_only_keys(v, p_path, '{from,to}');
    IF NOT (v ? 'from' OR v ? 'to') THEN
      PERFORM ims.cohort_refuse(p_path, 'give from, to or both');
    END IF;
    lo := CASE WHEN v ? 'from' THEN ims.cohort_date(v -> 'from', p_path || '.from') END;
    hi := CASE WHEN v ? 'to' THEN ims.cohort_date(v -> 'to', p_path || '.to') END;
    RETURN ims.cohort_dob_range(r, lo, hi);
  WHEN 'gender' THEN
    codes := ims.cohort_known(ims.cohort_codes(v, p_path, '^[0-9]$'), '{0,1,2,9}', p_path);
    RETURN ims.cohort_in_list(r, 'sex', codes, true);
  WHEN 'ethnicity' THEN
    PERFORM ims.cohort_only_keys(v, p_path, '{categories,groups}');
    IF NOT (v ? 'categories' OR v ? 'groups') THEN
      PERFORM ims.cohort_refuse(p_path, 'give categories or groups');
    END IF;
    codes := '{}';
    IF v ? 'categories' THEN
      codes := ims.cohort_known(ims.cohort_codes(v -> 'categories', p_path || '.categories', '^[A-Z0-9]{1,2}$'),
                                ARRAY(SELECT code FROM ims.ethnic_category), p_path || '.categories');
    END IF;
    IF v ? 'groups' THEN
      cats := ims.cohort_known(ims.cohort_codes(v -> 'groups', p_path || '.groups', '^[A-Z_]+$'),
                               ARRAY(SELECT DISTINCT ethnic_group FROM ims.ethnic_category), p_path || '.groups');
      codes := codes || ARRAY(SELECT code FROM ims.ethnic_category WHERE ethnic_group = ANY (cats));
    END IF;
    RETURN ims.cohort_in_list(r, 'ethnic', ARRAY(SELECT DISTINCT unnest(codes)), false);
  WHEN 'postcode' THEN
    PERFORM ims.cohort_only_keys(v, p_path, '{areas,districts,sectors}');
    IF NOT (v ? 'areas' OR v ? 'districts' OR v ? 'sectors') THEN
      PERFORM ims.cohort_refuse(p_path, 'give areas, districts or sectors');
    END IF;
    parts := '{}';
    IF v ? 'areas' THEN
      x := ims.cohort_list_ref(r, ims.cohort_codes(v -> 'areas', p_path || '.areas', '^[A-Z]{1,2}$')); r := x.s;
      parts := parts || format('coalesce(f.area = ANY (%s), false)', x.ref);
    END IF;
    IF v ? 'districts' THEN
      x := ims.cohort_list_ref(r, ims.cohort_codes(v -> 'districts', p_path || '.districts', '^[A-Z]{1,2}[0-9][0-9A-Z]?$')); r := x.s;
      parts := parts || format('coalesce(f.district = ANY (%s), false)', x.ref);
    END IF;
    IF v ? 'sectors' THEN
      x := ims.cohort_list_ref(r, ims.cohort_codes(v -> 'sectors', p_path || '.sectors', '^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9]$')); r := x.s;
      parts := parts || format('coalesce(f.sector = ANY (%s), false)', x.ref);
    END IF;
    RETURN ims.cohort_exact_only(r, array_to_string(parts, ' OR '));
  WHEN 'lsoa' THEN
    RETURN ims.cohort_in_list(r, 'lsoa', ims.cohort_codes(v, p_path, '^[EW]01[0-9]{6}$'), false);
  WHEN 'imdDecile' THEN
    PERFORM ims.cohort_only_keys(v, p_path, '{min,max}');
    x := ims.cohort_int_ref(r, CASE WHEN v ? 'min' THEN ims.cohort_int(v -> 'min', p_path || '.min', 1, 10) ELSE 1 END); r := x.s; a := x.ref;
    x := ims.cohort_int_ref(r, CASE WHEN v ? 'max' THEN ims.cohort_int(v -> 'max', p_path || '.max', 1, 10) ELSE 10 END); r := x.s; b := x.ref;
    r.exact := format('coalesce(f.imd BETWEEN %s AND %s, false)', a, b);
    r.cell := format('(c.imd BETWEEN %s AND %s)', a, b);
    r.key := 'NULL::boolean';
    r.cellable := true;
    RETURN r;
  WHEN 'localAuthority' THEN
    RETURN ims.cohort_in_list(r, 'la', ims.cohort_codes(v, p_path, '^[EW]0[6-9][0-9]{6}$'), true);
  WHEN 'icb' THEN
    codes := ims.cohort_codes(v, p_path, '^[A-Z0-9]{3,8}$');
    -- Where a person lives: the local authorities of the ICBs.
    RETURN ims.cohort_in_list(r, 'la', ARRAY(SELECT l.code FROM ims.local_authority l WHERE l.icb_code = ANY (codes) ORDER BY 1), true);
  WHEN 'practice' THEN
    RETURN ims.cohort_in_list(r, 'practice', ims.cohort_codes(v, p_path, '^[A-Z0-9]{3,8}$'), false);
  WHEN 'school' THEN
    PERFORM ims.cohort_only_keys(v, p_path, '{urns,yearGroups}');
    IF NOT (v ? 'urns' OR v ? 'yearGroups') THEN
      PERFORM ims.cohort_refuse(p_path, 'give urns or yearGroups');
    END IF;
    parts := '{}';
    IF v ? 'urns' THEN
      x := ims.cohort_list_ref(r, ims.cohort_codes(v -> 'urns', p_path || '.urns', '^[0-9]{6,7}$')); r := x.s;
      parts := parts || format('coalesce(f.school = ANY (%s), false)', x.ref);
    END IF;
    IF v ? 'yearGroups' THEN
      IF jsonb_typeof(v -> 'yearGroups') IS DISTINCT FROM 'array' OR jsonb_array_length(v -> 'yearGroups') NOT BETWEEN 1 AND 16 THEN
        PERFORM ims.cohort_refuse(p_path || '.yearGroups', 'expected a list of year groups');
      END IF;
      lists := ARRAY(SELECT DISTINCT ims.cohort_int(e, p_path || '.yearGroups', -1, 14)::text FROM jsonb_array_elements(v -> 'yearGroups') e);
      x := ims.cohort_list_ref(r, lists); r := x.s;
      parts := parts || format('coalesce(f.year_group::text = ANY (%s), false)', x.ref);
    END IF;
    RETURN ims.cohort_exact_only(r, array_to_string(parts, ' AND '));
  WHEN 'flags' THEN
    PERFORM ims.cohort_only_keys(v, p_path, '{codes,categories,on}');
    IF NOT (v ? 'codes' OR v ? 'categories') THEN
      PERFORM ims.cohort_refuse(p_path, 'give codes or categories');
    END IF;
    on_day := CASE WHEN v ? 'on' THEN ims.cohort_date(v -> 'on', p_path || '.on') ELSE p_ref END;
    codes := CASE WHEN v ? 'codes' THEN ims.cohort_known(ims.cohort_codes(v -> 'codes', p_path || '.codes', '^[A-Z_]+$'),
                                                         ARRAY(SELECT code FROM ims.flag_type), p_path || '.codes') ELSE '{}' END;
    cats := CASE WHEN v ? 'categories' THEN ims.cohort_known(ims.cohort_codes(v -> 'categories', p_path || '.categories', '^[A-Z_]+$'),
                                                             '{RISK_GROUP,PREGNANCY,RESIDENCE,CARER,CONTACT,FRAILTY,OTHER}', p_path || '.categories') ELSE '{}' END;
    -- Every kind a matching flag can be of; the exact check reads the flags themselves.
    SELECT coalesce(bit_or(ims.flag_category_bit(c)), 0) INTO mask
    FROM (SELECT unnest(cats) AS c UNION SELECT t.category FROM ims.flag_type t WHERE t.code = ANY (codes)) k;
    x := ims.cohort_int_ref(r, mask); r := x.s; a := x.ref;
    x := ims.cohort_date_ref(r, on_day); r := x.s; b := x.ref;
    y := ims.cohort_list_ref(r, codes || '{-}'::text[]); r := y.s;
    lists := ARRAY[y.ref];
    y := ims.cohort_list_ref(r, cats || '{-}'::text[]); r := y.s;
    lists := lists || y.ref;
    r.exact := format('(((f.cat_open | f.cat_other) & %1$s) <> 0 AND EXISTS (SELECT 1 FROM ims.clinical_flag cf JOIN ims.flag_type ft ON ft.code = cf.flag_code
                        WHERE cf.person_id = f.person_id AND (cf.flag_code = ANY (%3$s) OR ft.category = ANY (%4$s))
                          AND cf.from_date <= %2$s AND (cf.to_date IS NULL OR cf.to_date >= %2$s)))', a, b, lists[1], lists[2]);
    IF cardinality(codes) = 0 AND st.as_of <= on_day THEN
      -- A flag of a wanted kind open since the classification date is active on any later day.
      r.exact := format('((f.cat_open & %s) <> 0 OR %s)', a, r.exact);
      r.cell := format('(CASE WHEN (c.cat_open & %1$s) <> 0 THEN true WHEN (c.cat_other & %1$s) <> 0 THEN NULL ELSE false END)', a);
    ELSE
      r.cell := format('(CASE WHEN ((c.cat_open | c.cat_other) & %s) <> 0 THEN NULL ELSE false END)', a);
    END IF;
    r.key := r.cell;
    r.cellable := true;
    RETURN r;
  WHEN 'staff' THEN
    PERFORM ims.cohort_only_keys(v, p_path, '{employers,staffGroups,frontline}');
    x := ims.cohort_date_ref(r, p_ref); r := x.s;
    parts := ARRAY['sr.person_id = f.person_id', 'sr.from_date <= ' || x.ref, '(sr.to_date IS NULL OR sr.to_date >= ' || x.ref || ')'];
    IF v ? 'employers' THEN
      x := ims.cohort_list_ref(r, ims.cohort_codes(v -> 'employers', p_path || '.employers', '^[A-Z0-9]{3,8}$')); r := x.s;
      parts := parts || ('sr.employer_code = ANY (' || x.ref || ')');
    END IF;
    IF v ? 'staffGroups' THEN
      codes := ims.cohort_known(ims.cohort_codes(v -> 'staffGroups', p_path || '.staffGroups', '^[A-Z_]+$'),
                                '{MEDICAL,NURSING,MIDWIFERY,AHP,SCIENTIFIC,HEALTHCARE_ASSISTANT,SOCIAL_CARE,ADMIN,ESTATES,STUDENT,OTHER}', p_path || '.staffGroups');
      x := ims.cohort_list_ref(r, codes); r := x.s;
      parts := parts || ('sr.staff_group = ANY (' || x.ref || ')');
    END IF;
    IF v ? 'frontline' THEN
      IF jsonb_typeof(v -> 'frontline') IS DISTINCT FROM 'boolean' THEN
        PERFORM ims.cohort_refuse(p_path || '.frontline', 'expected true or false');
      END IF;
      parts := parts || CASE WHEN (v ->> 'frontline')::boolean THEN 'sr.frontline' ELSE 'NOT sr.frontline' END;
    END IF;
    RETURN ims.cohort_exact_only(r, 'EXISTS (SELECT 1 FROM ims.staff_record sr WHERE ' || array_to_string(parts, ' AND ') || ')');
  WHEN 'vaccination' THEN
    RETURN ims.cohort_vaccination(v, p_path, r);
  WHEN 'invitation' THEN
    RETURN ims.cohort_invitation(v, p_path, r);
  ELSE
    PERFORM ims.cohort_refuse(p_path, 'not a group (all, any, not) or a kind of criterion');
  END CASE;
  RETURN r;
END
$$;

-- A vaccination criterion: never had, doses before a date, a schedule status, a campaign status.
CREATE FUNCTION ims.cohort_vaccination(v jsonb, p_path text, s ims.cohort_sql) RETURNS ims.cohort_sql
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r ims.cohort_sql := s;
  x record;
  state text := CASE WHEN jsonb_typeof(v -> 'state') = 'string' THEN v ->> 'state' END;
  campaigns text[] := (SELECT campaigns FROM ims.cohort_fact_state);
  what text;
  code text;
  bit integer;
  statuses text[];
  a text; b text; c text;
BEGIN
  IF state IN ('never-had', 'doses-before') THEN
    PERFORM ims.cohort_only_keys(v, p_path, CASE state WHEN 'never-had' THEN '{state,antigen,programme}'::text[]
                                                       ELSE '{state,antigen,programme,doses,before}'::text[] END);
    IF (v ? 'antigen') = (v ? 'programme') THEN
      PERFORM ims.cohort_refuse(p_path, 'give either antigen or programme');
    END IF;
    IF v ? 'antigen' THEN
      code := (ims.cohort_known(ims.cohort_codes(jsonb_build_array(v -> 'antigen'), p_path || '.antigen', '^[A-Z0-9_]+$'),
                                ARRAY(SELECT a.code FROM ims.antigen a), p_path || '.antigen'))[1];
      x := ims.cohort_list_ref(r, ARRAY[code]); r := x.s;
      what := 'e.product_code IN (SELECT pa.product_code FROM ims.product_antigen pa WHERE pa.antigen_code = ANY (' || x.ref || '))';
    ELSE
      code := (ims.cohort_known(ims.cohort_codes(jsonb_build_array(v -> 'programme'), p_path || '.programme', '^[A-Z][A-Z0-9_]*$'),
                                ARRAY(SELECT p.code FROM ims.programme p), p_path || '.programme'))[1];
      x := ims.cohort_list_ref(r, ARRAY[code]); r := x.s;
      what := 'e.programme_code = ANY (' || x.ref || ')';
    END IF;
    what := 'FROM ims.vaccination_event e WHERE e.person_id = f.person_id AND e.outcome = ''GIVEN'' AND e.status = ''ACTIVE'' AND ' || what;
    IF state = 'never-had' THEN
      bit := CASE WHEN v ? 'programme' THEN array_position(campaigns, code) END;
      IF bit IS NOT NULL THEN
        x := ims.cohort_int_ref(r, 1 << (bit - 1)); r := x.s;
        r.exact := format('((f.given & %s) = 0)', x.ref);
        r.cell := format('((c.given & %s) = 0)', x.ref);
        r.key := r.cell;
        r.cellable := true;
        RETURN r;
      END IF;
      RETURN ims.cohort_exact_only(r, 'NOT EXISTS (SELECT 1 ' || what || ')');
    END IF;
    x := ims.cohort_int_ref(r, ims.cohort_int(v -> 'doses', p_path || '.doses', 1, 10)); r := x.s; a := x.ref;
    x := ims.cohort_date_ref(r, ims.cohort_date(v -> 'before', p_path || '.before')); r := x.s; b := x.ref;
    RETURN ims.cohort_exact_only(r, format('(SELECT count(*) %s AND e.occurred_on < %s) >= %s', what, b, a));
  ELSIF state = 'schedule' THEN
    PERFORM ims.cohort_only_keys(v, p_path, '{state,antigen,statuses}');
    code := (ims.cohort_known(ims.cohort_codes(jsonb_build_array(v -> 'antigen'), p_path || '.antigen', '^[A-Z0-9_]+$'),
                              ARRAY(SELECT a.code FROM ims.antigen a), p_path || '.antigen'))[1];
    statuses := ims.cohort_known(ims.cohort_codes(v -> 'statuses', p_path || '.statuses', '^[A-Z_]+$'),
                                 '{COMPLETE,DUE,OVERDUE,UPCOMING,TOO_LATE,NOT_ELIGIBLE,DECLINED,CONTRAINDICATED,NEEDS_ASSESSMENT}', p_path || '.statuses');
    x := ims.cohort_list_ref(r, ARRAY[code]); r := x.s; a := x.ref;
    x := ims.cohort_list_ref(r, statuses); r := x.s; b := x.ref;
    c := 'FROM ims.series_status ss WHERE ss.person_id = f.person_id AND ss.kind = ''SERIES'''
         ' AND ss.series_id IN (SELECT sa.series_id FROM ims.series_antigen sa WHERE sa.antigen = ANY (' || a || '))';
    -- Not eligible: no series for the antigen applies to the person (they have no row).
    RETURN ims.cohort_exact_only(r, format('EXISTS (SELECT 1 %s AND ss.status = ANY (%s))', c, b)
      || CASE WHEN 'NOT_ELIGIBLE' = ANY (statuses) THEN format(' OR NOT EXISTS (SELECT 1 %s)', c) ELSE '' END);
  ELSIF state = 'campaign' THEN
    PERFORM ims.cohort_only_keys(v, p_path, '{state,campaign,statuses}');
    code := (ims.cohort_codes(jsonb_build_array(v -> 'campaign'), p_path || '.campaign', '^[A-Z][A-Z0-9_]*$'))[1];
    statuses := ims.cohort_known(ims.cohort_codes(v -> 'statuses', p_path || '.statuses', '^[A-Z_]+$'),
                                 '{GIVEN,DUE,UPCOMING,NOT_ELIGIBLE,DECLINED}', p_path || '.statuses');
    x := ims.cohort_list_ref(r, ARRAY[code]); r := x.s; a := x.ref;
    x := ims.cohort_list_ref(r, statuses); r := x.s; b := x.ref;
    c := 'FROM ims.series_status ss WHERE ss.person_id = f.person_id AND ss.kind = ''CAMPAIGN'' AND ss.series_id = ANY (' || a || ')';
    RETURN ims.cohort_exact_only(r, format('EXISTS (SELECT 1 %s AND ss.status = ANY (%s))', c, b)
      || CASE WHEN 'NOT_ELIGIBLE' = ANY (statuses) THEN format(' OR NOT EXISTS (SELECT 1 %s)', c) ELSE '' END);
  END IF;
  PERFORM ims.cohort_refuse(p_path || '.state', 'never-had, doses-before, schedule or campaign');
  RETURN r;
END
$$;

-- An invitation criterion: answered where invitations are made (a later migration replaces this).
CREATE FUNCTION ims.cohort_invitation(v jsonb, p_path text, s ims.cohort_sql) RETURNS ims.cohort_sql
LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM ims.cohort_refuse(p_path, 'invitations are not recorded in this database yet');
  RETURN s;
END
$$;

-- The exclusions, in the order they are applied and reported: a person left out by one is not
-- counted again by a later one.
CREATE FUNCTION ims.cohort_exclusion_names() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT '{deceased,noLongerRegistered,alreadyVaccinated,optedOutOfEveryChannel,noUsableContact,invitedWithinDays}'::text[]
$$;

-- Checks a whole definition and builds the pieces of its statement: the criteria and the scope
-- (exact and by cell), the exclusion bucket (0 = counted, n = left out by the n-th exclusion)
-- and the age band, each exact and by cell.
CREATE FUNCTION ims.cohort_plan(p_def jsonb,
  OUT s ims.cohort_sql, OUT scope_exact text, OUT scope_cell text, OUT bucket_exact text, OUT bucket_cell text,
  OUT band_exact text, OUT band_cell text, OUT cellable boolean)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  ex jsonb := coalesce(p_def -> 'exclusions', '{}'::jsonb);
  ref date;
  campaign text;
  x record;
  y record;
  names text[] := ims.cohort_exclusion_names();
  on_ boolean;
  be text[] := '{}';
  bc text[] := '{}';
  pe text;
  pc text;
  n integer;
  bit integer;
  starts integer[] := ims.cohort_age_band_starts();
  edge date;
  full_m integer;
  las text[];
  practices text[];
BEGIN
  IF octet_length(p_def::text) > 200000 THEN
    PERFORM ims.cohort_refuse('(the definition)', 'too long');
  END IF;
  PERFORM ims.cohort_only_keys(p_def, '(the definition)', '{format,name,campaign,referenceDate,criteria,exclusions}');
  IF p_def -> 'format' IS DISTINCT FROM '1'::jsonb THEN
    PERFORM ims.cohort_refuse('format', 'this reads format 1 definitions');
  END IF;
  IF jsonb_typeof(p_def -> 'name') IS DISTINCT FROM 'string' OR length(btrim(p_def ->> 'name')) NOT BETWEEN 1 AND 120
     OR (p_def ->> 'name') ~ '[[:cntrl:]]' THEN
    PERFORM ims.cohort_refuse('name', 'give a name of 1 to 120 characters');
  END IF;
  IF p_def ? 'campaign' THEN
    campaign := (ims.cohort_known(ims.cohort_codes(jsonb_build_array(p_def -> 'campaign'), 'campaign', '^[A-Z][A-Z0-9_]*$'),
                                  ARRAY(SELECT p.code FROM ims.programme p), 'campaign'))[1];
  END IF;
  ref := ims.cohort_date(p_def -> 'referenceDate', 'referenceDate');
  IF NOT p_def ? 'criteria' THEN
    PERFORM ims.cohort_refuse('criteria', 'required');
  END IF;
  s := ims.cohort_node(p_def -> 'criteria', 'criteria', 1, ref, ROW(NULL, NULL, NULL, campaign, '{}', '{}', '{}', true)::ims.cohort_sql);
  cellable := s.cellable;

  -- Exclusions (defaults as the contract's: all on, 28 days, already vaccinated when a campaign is named).
  PERFORM ims.cohort_only_keys(ex, 'exclusions', names);
  FOR n IN 1 .. cardinality(names) LOOP
    IF names[n] = 'invitedWithinDays' THEN
      on_ := CASE WHEN ex ? names[n] THEN ims.cohort_int(ex -> names[n], 'exclusions.' || names[n], 0, 365) > 0 ELSE true END;
    ELSE
      IF ex ? names[n] AND jsonb_typeof(ex -> names[n]) <> 'boolean' THEN
        PERFORM ims.cohort_refuse('exclusions.' || names[n], 'expected true or false');
      END IF;
      on_ := coalesce((ex ->> names[n])::boolean, CASE WHEN names[n] = 'alreadyVaccinated' THEN campaign IS NOT NULL ELSE true END);
    END IF;
    IF NOT on_ THEN
      CONTINUE;
    END IF;
    pe := NULL;
    pc := NULL;
    CASE names[n]
      WHEN 'deceased' THEN pe := '(f.state & 1) <> 0'; pc := '(c.state & 1) <> 0';
      WHEN 'noLongerRegistered' THEN pe := '(f.state & 2) <> 0'; pc := '(c.state & 2) <> 0';
      WHEN 'optedOutOfEveryChannel' THEN pe := '(f.state & 4) <> 0'; pc := '(c.state & 4) <> 0';
      WHEN 'noUsableContact' THEN pe := '(f.state & 8) <> 0'; pc := '(c.state & 8) <> 0';
      WHEN 'alreadyVaccinated' THEN
        IF campaign IS NULL THEN
          PERFORM ims.cohort_refuse('exclusions.alreadyVaccinated', 'name the campaign to leave out people already vaccinated in it');
        END IF;
        bit := array_position((SELECT campaigns FROM ims.cohort_fact_state), campaign);
        IF bit IS NOT NULL THEN
          x := ims.cohort_int_ref(s, 1 << (bit - 1)); s := x.s;
          pe := format('(f.given & %s) <> 0', x.ref);
          pc := format('(c.given & %s) <> 0', x.ref);
        ELSE
          x := ims.cohort_list_ref(s, ARRAY[campaign]); s := x.s;
          pe := format('EXISTS (SELECT 1 FROM ims.vaccination_event e WHERE e.person_id = f.person_id AND e.outcome = ''GIVEN'''
                       ' AND e.status = ''ACTIVE'' AND e.programme_code = ANY (%s))', x.ref);
          pc := 'NULL::boolean';
          cellable := false;
        END IF;
      WHEN 'invitedWithinDays' THEN
        -- Invitations come with campaigns; until a campaign is named nobody can have been invited for it.
        IF campaign IS NULL THEN
          CONTINUE;
        END IF;
        x := ims.cohort_list_ref(s, ARRAY[campaign]); s := x.s;
        -- The window ends today (England's date), whatever the reference date.
        y := ims.cohort_date_ref(s, (now() AT TIME ZONE 'Europe/London')::date
                                    - ims.cohort_int(coalesce(ex -> names[n], '28'), 'exclusions.invitedWithinDays', 0, 365)); s := y.s;
        pe := ims.cohort_invited_sql(x.ref, y.ref);
        pc := 'NULL::boolean';
        cellable := false;
    END CASE;
    be := be || format('WHEN %s THEN %s', pe, n);
    bc := bc || format('WHEN %1$s THEN %2$s WHEN (%1$s) IS NULL THEN NULL', pc, n);
  END LOOP;
  bucket_exact := CASE WHEN cardinality(be) = 0 THEN '0' ELSE '(CASE ' || array_to_string(be, ' ') || ' ELSE 0 END)' END;
  bucket_cell := CASE WHEN cardinality(bc) = 0 THEN '0' ELSE '(CASE ' || array_to_string(bc, ' ') || ' ELSE 0 END)' END;

  -- Age bands on the reference date: band k when born on or before the day starts[k] years earlier.
  be := '{}';
  bc := '{}';
  FOR n IN REVERSE cardinality(starts) .. 2 LOOP
    edge := (ref - make_interval(years => starts[n]))::date;
    x := ims.cohort_date_ref(s, edge); s := x.s;
    be := be || format('WHEN f.dob <= %s THEN %s', x.ref, n);
    full_m := ims.month_number(edge) - CASE WHEN extract(month FROM edge + 1) <> extract(month FROM edge) THEN 0 ELSE 1 END;
    x := ims.cohort_int_ref(s, full_m); s := x.s;
    y := ims.cohort_int_ref(s, ims.month_number(edge)); s := y.s;
    bc := bc || format('WHEN c.bm_hi <= %s THEN %s WHEN c.bm_lo <= %s THEN NULL', x.ref, n, y.ref);
  END LOOP;
  band_exact := '(CASE ' || array_to_string(be, ' ') || ' ELSE 1 END)';
  band_cell := '(CASE ' || array_to_string(bc, ' ') || ' ELSE 1 END)';

  -- The caller's scope: everyone for an administrator (and the owner's jobs); else the people
  -- registered with their practices or living in their local authorities.
  IF NOT ims.is_application_user() OR ims.is_admin() THEN
    scope_exact := 'true';
    scope_cell := 'true';
  ELSE
    practices := ims.scope_practices();
    las := ims.scope_local_authorities();
    x := ims.cohort_list_ref(s, practices || '{-}'::text[]); s := x.s;
    y := ims.cohort_list_ref(s, las || '{-}'::text[]); s := y.s;
    scope_exact := format('(coalesce(f.practice = ANY (%s), false) OR coalesce(f.la = ANY (%s), false))', x.ref, y.ref);
    scope_cell := format('(CASE WHEN c.la = ANY (%s) THEN true WHEN %s THEN NULL ELSE false END)',
                         y.ref, CASE WHEN cardinality(practices) > 0 THEN 'true' ELSE 'false' END);
  END IF;
END
$$;

-- The piece for "invited for the campaign (named by p_campaign) on or after the day p_since":
-- replaced where invitations are made; until then nobody has been invited.
CREATE FUNCTION ims.cohort_invited_sql(p_campaign text, p_since text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT 'false' $$;

-- ---------------------------------------------------------------------------------------
-- Running a count

CREATE FUNCTION ims.cohort_breakdown_names() RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT '{region,localAuthority,postcodeDistrict,practice,school,ageBand,sex,ethnicity,imdDecile,lsoa}'::text[]
$$;

-- The count, its exclusions and the breakdowns asked for, as jsonb:
-- {"method": "cells" | "people", "buckets": {"0": counted, "1": left out by the first exclusion, ...},
--  "breakdowns": {"localAuthority": [{"code", "label", "count"}], ...}}.
-- Counts read the cells when every criterion, exclusion and breakdown can (cells they cannot
-- tell about are counted person by person); otherwise every person's fact row.
CREATE FUNCTION ims.cohort_run(p_def jsonb, p_breakdowns text[]) RETURNS jsonb
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET work_mem = '64MB' SET jit = off
  -- Estimates of the derived tables' joins are poor; hashing is never the wrong choice here.
  SET enable_mergejoin = off AS $$
DECLARE
  pl record;
  dims text[] := ARRAY(SELECT DISTINCT d FROM unnest(coalesce(p_breakdowns, '{}')) d);
  by_cells boolean;
  cols text;
  grp text;
  sql text;
  parts text[] := '{}';
  d text;
  result jsonb;
BEGIN
  IF NOT dims <@ ims.cohort_breakdown_names() THEN
    PERFORM ims.cohort_refuse('breakdowns', 'unknown breakdown');
  END IF;
  pl := ims.cohort_plan(p_def);
  by_cells := pl.cellable AND dims <@ '{region,localAuthority,ageBand,sex,imdDecile}'::text[];

  IF by_cells THEN
    -- Years first: each combination and birth year decided once (ky), then the year cells (yc);
    -- the months of what a year cannot decide (mc); then the people of what a month cannot.
    sql := format(
      'WITH ky AS MATERIALIZED (
         SELECT c.yr, c.small_id, c.bm_lo, c.bm_hi, c.state, c.cat_open, c.cat_other, c.given,
                %1$s AS khit, %2$s AS band, %3$s AS bucket
         FROM (SELECT y.yr, y.yr * 12 + 3 AS bm_lo, y.yr * 12 + 14 AS bm_hi, s.small_id, s.state, s.cat_open, s.cat_other, s.given
               FROM generate_series((SELECT min(yr) FROM ims.cohort_ycell), (SELECT max(yr) FROM ims.cohort_ycell)) AS y(yr)
               CROSS JOIN ims.cohort_small s) c),
       yc AS MATERIALIZED (
         SELECT c.yr, c.small_id, c.la, c.imd, c.sex, c.n, c.band, c.bucket,
                (CASE WHEN c.khit IS NULL THEN %4$s ELSE c.khit END) AND %5$s AS hit
         FROM (SELECT y.yr, y.small_id, y.la, y.imd, y.sex, y.n, k.bm_lo, k.bm_hi, k.state, k.cat_open, k.cat_other, k.given,
                      k.khit, k.band, k.bucket
               FROM ims.cohort_ycell y JOIN ky k ON k.yr = y.yr AND k.small_id = y.small_id
               WHERE k.khit IS NOT FALSE AND y.n <> 0) c),
       mc AS MATERIALIZED (
         SELECT c.cell_id, c.la, c.imd, c.sex, c.n, %2$s AS band, %3$s AS bucket, (%4$s) AND %5$s AS hit
         FROM (SELECT m.cell_id, m.la, m.imd, m.sex, m.n, m.bm AS bm_lo, m.bm AS bm_hi, k.state, k.cat_open, k.cat_other, k.given
               FROM yc u
               JOIN ims.cohort_cell m ON m.small_id = u.small_id AND m.la = u.la AND m.imd = u.imd AND m.sex = u.sex
                                     AND m.bm BETWEEN u.yr * 12 + 3 AND u.yr * 12 + 14
               JOIN ims.cohort_small k ON k.small_id = u.small_id
               WHERE (u.hit IS NULL OR (u.hit AND (u.band IS NULL OR u.bucket IS NULL))) AND m.n <> 0) c),
       sure AS (
         SELECT la, band, sex, imd, bucket, sum(n)::bigint AS n FROM yc
         WHERE hit AND band IS NOT NULL AND bucket IS NOT NULL GROUP BY 1, 2, 3, 4, 5
         UNION ALL
         SELECT la, band, sex, imd, bucket, sum(n)::bigint AS n FROM mc
         WHERE hit AND band IS NOT NULL AND bucket IS NOT NULL GROUP BY 1, 2, 3, 4, 5),
       people AS (SELECT f.la, %6$s AS band, f.sex, f.imd, %7$s AS bucket, count(*)::bigint AS n
                  FROM mc JOIN ims.cohort_fact f ON f.cell_id = mc.cell_id
                  WHERE (mc.hit IS NULL OR (mc.hit AND (mc.band IS NULL OR mc.bucket IS NULL))) AND (%8$s) AND (%9$s)
                  GROUP BY 1, 2, 3, 4, 5),
       r AS MATERIALIZED (
         SELECT nullif(la, '''') AS la, band, sex, nullif(imd, 0) AS imd, NULL::text AS ethnic, NULL::text AS district,
                NULL::text AS practice, NULL::text AS school, NULL::text AS lsoa, bucket, n FROM sure
         UNION ALL
         SELECT la, band, sex, imd, NULL, NULL, NULL, NULL, NULL, bucket, n FROM people)',
      (pl.s).key, pl.band_cell, pl.bucket_cell, (pl.s).cell, pl.scope_cell, pl.band_exact, pl.bucket_exact, (pl.s).exact,
      pl.scope_exact);
  ELSE
    -- Only the columns a breakdown needs, so the grouping stays small.
    cols := format('%s AS la, %s AS band, %s AS sex, %s AS imd, %s AS ethnic, %s AS district, %s AS practice, %s AS school, %s AS lsoa',
      CASE WHEN dims && '{region,localAuthority}' THEN 'f.la' ELSE 'NULL::text' END,
      CASE WHEN 'ageBand' = ANY (dims) THEN pl.band_exact ELSE 'NULL::integer' END,
      CASE WHEN 'sex' = ANY (dims) THEN 'f.sex' ELSE 'NULL::text' END,
      CASE WHEN 'imdDecile' = ANY (dims) THEN 'f.imd' ELSE 'NULL::smallint' END,
      CASE WHEN 'ethnicity' = ANY (dims) THEN 'f.ethnic' ELSE 'NULL::text' END,
      CASE WHEN 'postcodeDistrict' = ANY (dims) THEN 'f.district' ELSE 'NULL::text' END,
      CASE WHEN 'practice' = ANY (dims) THEN 'f.practice' ELSE 'NULL::text' END,
      CASE WHEN 'school' = ANY (dims) THEN 'f.school' ELSE 'NULL::text' END,
      CASE WHEN 'lsoa' = ANY (dims) THEN 'f.lsoa' ELSE 'NULL::text' END);
    sql := format(
      'WITH r AS MATERIALIZED (
         SELECT %s, %s AS bucket, count(*)::bigint AS n FROM ims.cohort_fact f
         WHERE (%s) AND (%s) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)',
      cols, pl.bucket_exact, (pl.s).exact, pl.scope_exact);
  END IF;

  FOREACH d IN ARRAY dims LOOP
    parts := parts || format('%L, (SELECT coalesce(jsonb_agg(jsonb_build_object(''code'', g.code, ''label'', g.label, ''count'', g.n)
                                       ORDER BY g.n DESC, g.code), ''[]'') FROM (%s) g)', d,
      CASE d
        WHEN 'localAuthority' THEN 'SELECT r.la AS code, l.name AS label, sum(r.n) AS n FROM r LEFT JOIN ims.local_authority l ON l.code = r.la WHERE r.bucket = 0 GROUP BY 1, 2'
        WHEN 'region' THEN 'SELECT l.region_code AS code, o.name AS label, sum(r.n) AS n FROM r LEFT JOIN ims.local_authority l ON l.code = r.la LEFT JOIN ims.organisation o ON o.code = l.region_code WHERE r.bucket = 0 GROUP BY 1, 2'
        WHEN 'ageBand' THEN 'SELECT r.band::text AS code, NULL::text AS label, sum(r.n) AS n FROM r WHERE r.bucket = 0 GROUP BY 1'
        WHEN 'sex' THEN 'SELECT r.sex AS code, NULL::text AS label, sum(r.n) AS n FROM r WHERE r.bucket = 0 GROUP BY 1'
        WHEN 'imdDecile' THEN 'SELECT r.imd::text AS code, NULL::text AS label, sum(r.n) AS n FROM r WHERE r.bucket = 0 GROUP BY 1'
        WHEN 'ethnicity' THEN 'SELECT r.ethnic AS code, e.label, sum(r.n) AS n FROM r LEFT JOIN ims.ethnic_category e ON e.code = r.ethnic WHERE r.bucket = 0 GROUP BY 1, 2'
        WHEN 'postcodeDistrict' THEN 'SELECT r.district AS code, NULL::text AS label, sum(r.n) AS n FROM r WHERE r.bucket = 0 GROUP BY 1'
        WHEN 'practice' THEN 'SELECT r.practice AS code, o.name AS label, sum(r.n) AS n FROM r LEFT JOIN ims.organisation o ON o.code = r.practice WHERE r.bucket = 0 GROUP BY 1, 2'
        WHEN 'school' THEN 'SELECT r.school AS code, s.name AS label, sum(r.n) AS n FROM r LEFT JOIN ims.school s ON s.urn = r.school WHERE r.bucket = 0 GROUP BY 1, 2'
        WHEN 'lsoa' THEN 'SELECT r.lsoa AS code, l.name || coalesce('' (IMD decile '' || l.imd_decile || '')'', '''') AS label, sum(r.n) AS n FROM r LEFT JOIN ims.lsoa l ON l.code = r.lsoa WHERE r.bucket = 0 GROUP BY 1, 2'
      END);
  END LOOP;

  sql := sql || format(
    ' SELECT jsonb_build_object(''method'', %L,
        ''buckets'', (SELECT coalesce(jsonb_object_agg(b.bucket, b.n), ''{}'') FROM (SELECT bucket, sum(n) AS n FROM r GROUP BY 1) b),
        ''breakdowns'', jsonb_build_object(%s))',
    CASE WHEN by_cells THEN 'cells' ELSE 'people' END, array_to_string(parts, ', '));
  EXECUTE sql INTO result USING (pl.s).d, (pl.s).i, (pl.s).t;
  RETURN result;
END
$$;

-- The members of a cohort (in scope, after its exclusions), for confirming invitations: owner
-- only, called by the api functions that make them.
-- Planned as a regional cohort (the default guess of 1,000 rows picks per-person probes where
-- hashing the register is far cheaper).
CREATE FUNCTION ims.cohort_member_ids(p_definition jsonb) RETURNS TABLE (person_id bigint)
LANGUAGE plpgsql STABLE ROWS 100000 SET search_path = pg_catalog, pg_temp SET jit = off AS $$
DECLARE
  pl record := ims.cohort_plan(p_definition);
BEGIN
  RETURN QUERY EXECUTE format('SELECT f.person_id FROM ims.cohort_fact f WHERE (%s) AND (%s) AND %s = 0',
                              (pl.s).exact, pl.scope_exact, pl.bucket_exact)
    USING (pl.s).d, (pl.s).i, (pl.s).t;
END
$$;

-- Raises the first mistake in a definition, naming its place; nothing when it is valid.
CREATE FUNCTION ims.cohort_check_definition(p_definition jsonb) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.cohort_plan(p_definition);
END
$$;

REVOKE EXECUTE ON FUNCTION ims.cohort_run(jsonb, text[]), ims.cohort_member_ids(jsonb), ims.cohort_check_definition(jsonb),
  ims.cohort_plan(jsonb), ims.cohort_node(jsonb, text, integer, date, ims.cohort_sql), ims.cohort_vaccination(jsonb, text, ims.cohort_sql)
  FROM PUBLIC;

-- Counting, for those who may see people (not analysts, who read suppressed aggregates only).
CREATE FUNCTION api.cohort_count(p_definition jsonb, p_breakdowns text[]) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.may_read_people() THEN
    RAISE EXCEPTION 'Your role may not count people in cohorts.' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN ims.cohort_run(p_definition, p_breakdowns);
END
$$;
REVOKE EXECUTE ON FUNCTION api.cohort_count(jsonb, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.cohort_count(jsonb, text[]) TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;

-- The people already registered get their rows now, classified as of today in England.
SELECT ims.cohort_facts_rebuild((now() AT TIME ZONE 'Europe/London')::date);

-- ---------------------------------------------------------------------------------------
-- Saved definitions: by name, every version kept (who, when, what changed). Not about any one
-- person, so not scoped; read and written through the functions below by those who may count.

CREATE TABLE ims.cohort_definition (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
  version    integer NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE UNIQUE INDEX cohort_definition_name_idx ON ims.cohort_definition (lower(btrim(name)));

CREATE TABLE ims.cohort_definition_version (
  definition_id bigint NOT NULL REFERENCES ims.cohort_definition (id),
  version       integer NOT NULL,
  definition    jsonb NOT NULL,
  note          text CHECK (length(note) <= 500),
  saved_by      text NOT NULL DEFAULT session_user,
  saved_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (definition_id, version)
);
REVOKE ALL ON ims.cohort_definition, ims.cohort_definition_version FROM PUBLIC;
SELECT audit.attach('ims.cohort_definition');
SELECT audit.attach('ims.cohort_definition_version');

CREATE FUNCTION ims.refuse_unless_may_count() RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.may_read_people() THEN
    RAISE EXCEPTION 'Your role may not use cohort definitions.' USING ERRCODE = 'insufficient_privilege';
  END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.refuse_unless_may_count() FROM PUBLIC;

CREATE FUNCTION api.cohort_definitions()
RETURNS TABLE (id bigint, name text, version integer, campaign text, saved_by text, saved_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.refuse_unless_may_count();
  RETURN QUERY
    SELECT d.id, d.name, d.version, v.definition ->> 'campaign', v.saved_by, v.saved_at
    FROM ims.cohort_definition d JOIN ims.cohort_definition_version v ON v.definition_id = d.id AND v.version = d.version
    ORDER BY lower(d.name);
END
$$;

-- One version (the latest when p_version is NULL) and the history of every version.
CREATE FUNCTION api.cohort_definition(p_id bigint, p_version integer)
RETURNS TABLE (id bigint, name text, latest integer, version integer, definition jsonb, history jsonb)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.refuse_unless_may_count();
  RETURN QUERY
    SELECT d.id, d.name, d.version, v.version, v.definition,
           (SELECT jsonb_agg(jsonb_build_object('version', h.version, 'savedBy', h.saved_by, 'savedAt', h.saved_at, 'note', h.note)
                             ORDER BY h.version DESC)
            FROM ims.cohort_definition_version h WHERE h.definition_id = d.id)
    FROM ims.cohort_definition d JOIN ims.cohort_definition_version v ON v.definition_id = d.id
    WHERE d.id = p_id AND v.version = coalesce(p_version, d.version);
END
$$;

-- Saves a new definition (p_id NULL) or a new version of one. p_base_version is the version the
-- user started from: if someone has saved since, the save is refused rather than overwriting.
CREATE FUNCTION api.cohort_definition_save(p_id bigint, p_base_version integer, p_definition jsonb, p_note text)
RETURNS TABLE (id bigint, version integer, name text, note text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_id bigint := p_id;
  v_version integer;
  v_name text := btrim(p_definition ->> 'name');
BEGIN
  PERFORM ims.refuse_unless_may_count();
  PERFORM ims.cohort_check_definition(p_definition);
  IF p_note IS NOT NULL AND (length(p_note) > 500 OR p_note ~ '[[:cntrl:]]') THEN
    RAISE EXCEPTION 'note: at most 500 characters, on one line' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF EXISTS (SELECT 1 FROM ims.cohort_definition d WHERE lower(btrim(d.name)) = lower(v_name) AND d.id IS DISTINCT FROM p_id) THEN
    RAISE EXCEPTION 'name: another saved definition is called that' USING ERRCODE = 'unique_violation';
  END IF;
  IF v_id IS NULL THEN
    INSERT INTO ims.cohort_definition (name) VALUES (v_name) RETURNING cohort_definition.id, cohort_definition.version INTO v_id, v_version;
  ELSE
    UPDATE ims.cohort_definition d SET version = d.version + 1, name = v_name
    WHERE d.id = p_id AND d.version = p_base_version
    RETURNING d.version INTO v_version;
    IF v_version IS NULL THEN
      IF NOT EXISTS (SELECT 1 FROM ims.cohort_definition d WHERE d.id = p_id) THEN
        RAISE EXCEPTION 'There is no saved definition %.', p_id USING ERRCODE = 'no_data_found';
      END IF;
      RAISE EXCEPTION 'Someone saved this definition since you opened it: open the latest version and make your change again.'
        USING ERRCODE = 'serialization_failure';
    END IF;
  END IF;
  INSERT INTO ims.cohort_definition_version (definition_id, version, definition, note) VALUES (v_id, v_version, p_definition, p_note);
  RETURN QUERY SELECT v_id, v_version, v_name, p_note;
END
$$;

REVOKE EXECUTE ON FUNCTION api.cohort_definitions(), api.cohort_definition(bigint, integer),
  api.cohort_definition_save(bigint, integer, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.cohort_definitions(), api.cohort_definition(bigint, integer),
  api.cohort_definition_save(bigint, integer, jsonb, text)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;
