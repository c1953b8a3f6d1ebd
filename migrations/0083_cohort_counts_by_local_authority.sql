-- Cohort counts read a fifth of the rows they read before (issue 10's 150 ms at the 95th
-- percentile, with room to spare on a busy machine).
--
-- The year cells (0031) count people by birth year, combination, local authority, IMD decile
-- and sex: 127,000 rows for the bench's two million people, and a count touched each of them
-- that its criteria did not rule out. Most counts decide nothing by IMD decile or sex: those
-- are only breakdowns, and a breakdown needs each one's totals, not every pairing of the two.
--
-- ims.cohort_lcell counts the same people by birth year, combination and local authority (a
-- sixth of the rows), with the totals by sex and by IMD decile as columns. A count reads these
-- first, deciding each row with IMD decile and sex unknown (SQL's NULL, so a criterion on
-- either says "cannot tell"); only the rows it cannot decide are read again from the year
-- cells, then by month and person by person, exactly as before.
--
-- The LA cells follow the year cells by trigger, so every path that changes year cells (the
-- status drain's refresh and the population rebuild) keeps them exact with no code of its own.

CREATE TABLE ims.cohort_lcell (
  yr       integer NOT NULL,
  small_id smallint NOT NULL,
  la       text NOT NULL,
  n        integer NOT NULL,
  -- By sex (ims.person.gender_code: 0, 1, 2, 9) and by IMD decile (0 = not known, 1 to 10).
  sex_0    integer NOT NULL, sex_1 integer NOT NULL, sex_2 integer NOT NULL, sex_9 integer NOT NULL,
  imd_0    integer NOT NULL, imd_1 integer NOT NULL, imd_2 integer NOT NULL, imd_3 integer NOT NULL,
  imd_4    integer NOT NULL, imd_5 integer NOT NULL, imd_6 integer NOT NULL, imd_7 integer NOT NULL,
  imd_8    integer NOT NULL, imd_9 integer NOT NULL, imd_10 integer NOT NULL,
  PRIMARY KEY (yr, small_id, la)
);
-- Owner only, as the other derived tables.
REVOKE ALL ON ims.cohort_lcell FROM PUBLIC;
ALTER TABLE ims.cohort_lcell ENABLE ROW LEVEL SECURITY;

-- Adds year-cell changes (rows of birth year, combination, LA, IMD decile, sex and a change in
-- count) to the LA cells, in key order so that concurrent drains lock rows in the same order.
CREATE FUNCTION ims.cohort_lcell_add(p_yr integer[], p_small smallint[], p_la text[], p_imd smallint[], p_sex text[],
                                     p_d integer[]) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
  INSERT INTO ims.cohort_lcell AS l (yr, small_id, la, n, sex_0, sex_1, sex_2, sex_9,
                                     imd_0, imd_1, imd_2, imd_3, imd_4, imd_5, imd_6, imd_7, imd_8, imd_9, imd_10)
  SELECT yr, small_id, la, sum(d),
         sum(CASE WHEN sex = '0' THEN d ELSE 0 END), sum(CASE WHEN sex = '1' THEN d ELSE 0 END), sum(CASE WHEN sex = '2' THEN d ELSE 0 END),
         sum(CASE WHEN sex = '9' THEN d ELSE 0 END),
         sum(CASE WHEN imd = 0 THEN d ELSE 0 END), sum(CASE WHEN imd = 1 THEN d ELSE 0 END), sum(CASE WHEN imd = 2 THEN d ELSE 0 END),
         sum(CASE WHEN imd = 3 THEN d ELSE 0 END), sum(CASE WHEN imd = 4 THEN d ELSE 0 END), sum(CASE WHEN imd = 5 THEN d ELSE 0 END),
         sum(CASE WHEN imd = 6 THEN d ELSE 0 END), sum(CASE WHEN imd = 7 THEN d ELSE 0 END), sum(CASE WHEN imd = 8 THEN d ELSE 0 END),
         sum(CASE WHEN imd = 9 THEN d ELSE 0 END), sum(CASE WHEN imd = 10 THEN d ELSE 0 END)
  FROM (SELECT yr, small_id, la, imd, sex, coalesce(d, 0)::bigint AS d
        FROM unnest(p_yr, p_small, p_la, p_imd, p_sex, p_d) AS x(yr, small_id, la, imd, sex, d)) x
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (yr, small_id, la) DO UPDATE SET
    n = l.n + excluded.n,
    sex_0 = l.sex_0 + excluded.sex_0, sex_1 = l.sex_1 + excluded.sex_1, sex_2 = l.sex_2 + excluded.sex_2,
    sex_9 = l.sex_9 + excluded.sex_9,
    imd_0 = l.imd_0 + excluded.imd_0, imd_1 = l.imd_1 + excluded.imd_1, imd_2 = l.imd_2 + excluded.imd_2,
    imd_3 = l.imd_3 + excluded.imd_3, imd_4 = l.imd_4 + excluded.imd_4, imd_5 = l.imd_5 + excluded.imd_5,
    imd_6 = l.imd_6 + excluded.imd_6, imd_7 = l.imd_7 + excluded.imd_7, imd_8 = l.imd_8 + excluded.imd_8,
    imd_9 = l.imd_9 + excluded.imd_9, imd_10 = l.imd_10 + excluded.imd_10
$$;

-- The year cells' changes, as they happen: new cells are added whole, changed cells by the
-- difference. (Transition tables: one statement's rows at once, however many there are.)
CREATE FUNCTION ims.cohort_lcell_follow_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.cohort_lcell_add(array_agg(yr), array_agg(small_id), array_agg(la), array_agg(imd), array_agg(sex), array_agg(n))
  FROM new_rows HAVING count(*) > 0;
  RETURN NULL;
END
$$;
CREATE FUNCTION ims.cohort_lcell_follow_update() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.cohort_lcell_add(array_agg(n.yr), array_agg(n.small_id), array_agg(n.la), array_agg(n.imd), array_agg(n.sex),
                               array_agg(n.n - o.n))
  FROM new_rows n JOIN old_rows o ON (o.yr, o.small_id, o.la, o.imd, o.sex) = (n.yr, n.small_id, n.la, n.imd, n.sex)
  HAVING count(*) > 0;
  RETURN NULL;
END
$$;
CREATE TRIGGER cohort_lcell_follow_insert AFTER INSERT ON ims.cohort_ycell REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ims.cohort_lcell_follow_insert();
CREATE TRIGGER cohort_lcell_follow_update AFTER UPDATE ON ims.cohort_ycell REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ims.cohort_lcell_follow_update();
-- Year cells are never deleted one by one (a count of nobody stays, at 0); the rebuild empties
-- both tables together.
REVOKE EXECUTE ON FUNCTION ims.cohort_lcell_add(integer[], smallint[], text[], smallint[], text[], integer[]) FROM PUBLIC;

-- Those already counted.
SELECT ims.cohort_lcell_add(array_agg(yr), array_agg(small_id), array_agg(la), array_agg(imd), array_agg(sex), array_agg(n))
FROM ims.cohort_ycell HAVING count(*) > 0;
ANALYZE ims.cohort_lcell;

-- The population rebuild empties the LA cells with the others (the year cells' insert fills them).
CREATE OR REPLACE FUNCTION ims.cohort_facts_rebuild(p_as_of date) RETURNS integer
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
  TRUNCATE ims.cohort_fact, ims.cohort_cell, ims.cohort_ycell, ims.cohort_lcell, ims.cohort_small RESTART IDENTITY;
  INSERT INTO ims.cohort_small (state, cat_open, cat_other, given)
  SELECT DISTINCT state, cat_open, cat_other, given FROM cohort_fact_build ORDER BY 1, 2, 3, 4;
  CREATE TEMP TABLE cohort_fact_keyed ON COMMIT DROP AS
    SELECT b.*, s.small_id FROM cohort_fact_build b
    JOIN ims.cohort_small s ON (s.state, s.cat_open, s.cat_other, s.given) = (b.state, b.cat_open, b.cat_other, b.given);
  -- In key order, so that a count's probes by key read neighbouring pages.
  INSERT INTO ims.cohort_cell (bm, small_id, la, imd, sex, n)
  SELECT bm, small_id, cla, cimd, sex, count(*) FROM cohort_fact_keyed GROUP BY 1, 2, 3, 4, 5 ORDER BY 2, 3, 4, 5, 1;
  -- The LA cells follow by trigger.
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
  ANALYZE ims.cohort_lcell;
  ANALYZE ims.cohort_small;
  RETURN v_rows;
END
$$;


-- Counts read the LA cells first.
CREATE OR REPLACE FUNCTION ims.cohort_run(p_def jsonb, p_breakdowns text[]) RETURNS jsonb
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
    -- LA cells first (lc), each decided with IMD decile and sex unknown; the year cells of what
    -- an LA cell cannot decide (yc); the months of what a year cannot (mc); then the people of
    -- what a month cannot. Decided LA cells give their totals by sex and IMD decile as they are.
    sql := format(
      'WITH lc AS MATERIALIZED (
         SELECT * FROM (
           SELECT c.yr, c.small_id, c.la, c.bm_lo, c.bm_hi, c.n, c.sex_0, c.sex_1, c.sex_2, c.sex_9, c.imd_0, c.imd_1, c.imd_2,
                  c.imd_3, c.imd_4, c.imd_5, c.imd_6, c.imd_7, c.imd_8, c.imd_9, c.imd_10,
                  (%1$s) AND %2$s AS hit, %3$s AS band, %4$s AS bucket
           FROM (SELECT l.*, l.yr * 12 + 3 AS bm_lo, l.yr * 12 + 14 AS bm_hi, s.state, s.cat_open, s.cat_other, s.given,
                        NULL::smallint AS imd, NULL::text AS sex
                 FROM ims.cohort_lcell l JOIN ims.cohort_small s ON s.small_id = l.small_id WHERE l.n <> 0) c) d
         WHERE hit IS NOT FALSE),
       yc AS MATERIALIZED (
         SELECT c.yr, c.small_id, c.la, c.imd, c.sex, c.n, c.band, c.bucket, (%1$s) AND %2$s AS hit
         FROM (SELECT y.yr, y.small_id, y.la, y.imd, y.sex, y.n, u.bm_lo, u.bm_hi, k.state, k.cat_open, k.cat_other, k.given,
                      u.band, u.bucket
               FROM lc u
               JOIN ims.cohort_ycell y ON y.yr = u.yr AND y.small_id = u.small_id AND y.la = u.la
               JOIN ims.cohort_small k ON k.small_id = u.small_id
               WHERE (u.hit IS NULL OR u.band IS NULL OR u.bucket IS NULL) AND y.n <> 0) c),
       mc AS MATERIALIZED (
         SELECT c.cell_id, c.la, c.imd, c.sex, c.n, %3$s AS band, %4$s AS bucket, (%1$s) AND %2$s AS hit
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
       people AS (SELECT f.la, %5$s AS band, f.sex, f.imd, %6$s AS bucket, count(*)::bigint AS n
                  FROM mc JOIN ims.cohort_fact f ON f.cell_id = mc.cell_id
                  WHERE (mc.hit IS NULL OR (mc.hit AND (mc.band IS NULL OR mc.bucket IS NULL))) AND (%7$s) AND (%8$s)
                  GROUP BY 1, 2, 3, 4, 5),
       ls AS (SELECT la, band, bucket, sum(n)::bigint AS n FROM lc WHERE hit AND band IS NOT NULL AND bucket IS NOT NULL GROUP BY 1, 2, 3),
       lb AS (
         SELECT bucket, sum(sex_0) AS sex_0, sum(sex_1) AS sex_1, sum(sex_2) AS sex_2, sum(sex_9) AS sex_9,
                sum(imd_0) AS imd_0, sum(imd_1) AS imd_1, sum(imd_2) AS imd_2, sum(imd_3) AS imd_3, sum(imd_4) AS imd_4,
                sum(imd_5) AS imd_5, sum(imd_6) AS imd_6, sum(imd_7) AS imd_7, sum(imd_8) AS imd_8, sum(imd_9) AS imd_9,
                sum(imd_10) AS imd_10
         FROM lc WHERE hit AND band IS NOT NULL AND bucket IS NOT NULL GROUP BY 1),
       -- part: the breakdowns a row counts in (a: all; l: totals, areas and age bands; s: sex; i: IMD decile).
       r AS MATERIALIZED (
         SELECT ''a'' AS part, nullif(la, '''') AS la, band, sex, nullif(imd, 0) AS imd, NULL::text AS ethnic,
                NULL::text AS district, NULL::text AS practice, NULL::text AS school, NULL::text AS lsoa, bucket, n FROM sure
         UNION ALL
         SELECT ''a'', la, band, sex, imd, NULL, NULL, NULL, NULL, NULL, bucket, n FROM people
         UNION ALL
         SELECT ''l'', nullif(la, ''''), band, NULL, NULL, NULL, NULL, NULL, NULL, NULL, bucket, n FROM ls
         UNION ALL
         SELECT ''s'', NULL, NULL, v.sex, NULL, NULL, NULL, NULL, NULL, NULL, lb.bucket, v.n
         FROM lb, LATERAL (VALUES (''0'', lb.sex_0), (''1'', lb.sex_1), (''2'', lb.sex_2), (''9'', lb.sex_9)) AS v(sex, n)
         WHERE v.n <> 0
         UNION ALL
         SELECT ''i'', NULL, NULL, NULL, v.imd, NULL, NULL, NULL, NULL, NULL, lb.bucket, v.n
         FROM lb, LATERAL (VALUES (NULL::smallint, lb.imd_0), (1, lb.imd_1), (2, lb.imd_2), (3, lb.imd_3), (4, lb.imd_4),
                                  (5, lb.imd_5), (6, lb.imd_6), (7, lb.imd_7), (8, lb.imd_8), (9, lb.imd_9), (10, lb.imd_10)) AS v(imd, n)
         WHERE v.n <> 0)',
      (pl.s).cell, pl.scope_cell, pl.band_cell, pl.bucket_cell, pl.band_exact, pl.bucket_exact, (pl.s).exact, pl.scope_exact);
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
         SELECT ''a'' AS part, %s, %s AS bucket, count(*)::bigint AS n FROM ims.cohort_fact f
         WHERE (%s) AND (%s) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)',
      cols, pl.bucket_exact, (pl.s).exact, pl.scope_exact);
  END IF;

  -- Each breakdown sums the rows that count in it (r.part).
  FOREACH d IN ARRAY dims LOOP
    parts := parts || format('%L, (SELECT coalesce(jsonb_agg(jsonb_build_object(''code'', g.code, ''label'', g.label, ''count'', g.n)
                                       ORDER BY g.n DESC, g.code), ''[]'') FROM (%s) g)', d,
      CASE d
        WHEN 'localAuthority' THEN 'SELECT r.la AS code, l.name AS label, sum(r.n) AS n FROM r LEFT JOIN ims.local_authority l ON l.code = r.la WHERE r.bucket = 0 AND r.part IN (''a'', ''l'') GROUP BY 1, 2'
        WHEN 'region' THEN 'SELECT l.region_code AS code, o.name AS label, sum(r.n) AS n FROM r LEFT JOIN ims.local_authority l ON l.code = r.la LEFT JOIN ims.organisation o ON o.code = l.region_code WHERE r.bucket = 0 AND r.part IN (''a'', ''l'') GROUP BY 1, 2'
        WHEN 'ageBand' THEN 'SELECT r.band::text AS code, NULL::text AS label, sum(r.n) AS n FROM r WHERE r.bucket = 0 AND r.part IN (''a'', ''l'') GROUP BY 1'
        WHEN 'sex' THEN 'SELECT r.sex AS code, NULL::text AS label, sum(r.n) AS n FROM r WHERE r.bucket = 0 AND r.part IN (''a'', ''s'') GROUP BY 1'
        WHEN 'imdDecile' THEN 'SELECT r.imd::text AS code, NULL::text AS label, sum(r.n) AS n FROM r WHERE r.bucket = 0 AND r.part IN (''a'', ''i'') GROUP BY 1'
        WHEN 'ethnicity' THEN 'SELECT r.ethnic AS code, e.label, sum(r.n) AS n FROM r LEFT JOIN ims.ethnic_category e ON e.code = r.ethnic WHERE r.bucket = 0 AND r.part IN (''a'') GROUP BY 1, 2'
        WHEN 'postcodeDistrict' THEN 'SELECT r.district AS code, NULL::text AS label, sum(r.n) AS n FROM r WHERE r.bucket = 0 AND r.part IN (''a'') GROUP BY 1'
        WHEN 'practice' THEN 'SELECT r.practice AS code, o.name AS label, sum(r.n) AS n FROM r LEFT JOIN ims.organisation o ON o.code = r.practice WHERE r.bucket = 0 AND r.part IN (''a'') GROUP BY 1, 2'
        WHEN 'school' THEN 'SELECT r.school AS code, s.name AS label, sum(r.n) AS n FROM r LEFT JOIN ims.school s ON s.urn = r.school WHERE r.bucket = 0 AND r.part IN (''a'') GROUP BY 1, 2'
        WHEN 'lsoa' THEN 'SELECT r.lsoa AS code, l.name || coalesce('' (IMD decile '' || l.imd_decile || '')'', '''') AS label, sum(r.n) AS n FROM r LEFT JOIN ims.lsoa l ON l.code = r.lsoa WHERE r.bucket = 0 AND r.part IN (''a'') GROUP BY 1, 2'
      END);
  END LOOP;

  sql := sql || format(
    ' SELECT jsonb_build_object(''method'', %L,
        ''buckets'', (SELECT coalesce(jsonb_object_agg(b.bucket, b.n), ''{}'') FROM (SELECT bucket, sum(n) AS n FROM r WHERE part IN (''a'', ''l'') GROUP BY 1) b),
        ''breakdowns'', jsonb_build_object(%s))',
    CASE WHEN by_cells THEN 'cells' ELSE 'people' END, array_to_string(parts, ', '));
  EXECUTE sql INTO result USING (pl.s).d, (pl.s).i, (pl.s).t;
  RETURN result;
END
$$;
