-- COVER returns: the share of children immunised by 12 months, 24 months and 5 years, for the
-- children reaching each birthday in a quarter, by upper-tier local authority (the responsible
-- population) and by GP practice, with the children not counted for those who may read records.
--
-- What counts is data: resources/coverage/cover-measures.json, held here as ims.cover_measure
-- (main-api/reporting/cover.integration.test.ts checks the two are the same). A measure counts
-- the days on which a child had a dose of a product protecting against every antigen it names,
-- on or after from_age_months and before by_age_months (the birthday that puts the child in the
-- cohort), and applies to the children born between born_from and born_to (inclusive): the
-- 2025-26 schedule changes apply by date of birth, as in the schedule's rule files.

CREATE TABLE ims.cover_measure (
  id              text PRIMARY KEY CHECK (id ~ '^[0-9A-Z_]{3,40}$'),
  label           text NOT NULL CHECK (length(label) BETWEEN 3 AND 120),
  antigens        text[] NOT NULL CHECK (cardinality(antigens) > 0),
  doses           smallint NOT NULL CHECK (doses BETWEEN 1 AND 6),
  from_age_months smallint NOT NULL DEFAULT 0 CHECK (from_age_months >= 0),
  by_age_months   smallint NOT NULL CHECK (by_age_months IN (12, 24, 60)),
  born_from       date,
  born_to         date,
  sort_order      smallint NOT NULL UNIQUE,
  CHECK (from_age_months < by_age_months),
  CHECK (born_from IS NULL OR born_to IS NULL OR born_from <= born_to)
);
INSERT INTO ims.cover_measure (id, label, antigens, doses, from_age_months, by_age_months, born_from, born_to, sort_order) VALUES
  ('12M_DTAPIPVHIBHEPB3', 'DTaP/IPV/Hib/HepB (6-in-1), 3 doses', '{DIPHTHERIA,HEPB,HIB,PERTUSSIS,POLIO,TETANUS}', 3, 0, 12, NULL, NULL, 1),
  ('12M_PCV1', 'PCV primary, 1 dose', '{PCV}', 1, 0, 12, NULL, NULL, 2),
  ('12M_ROTA2', 'Rotavirus, 2 doses', '{ROTAVIRUS}', 2, 0, 12, NULL, NULL, 3),
  ('12M_MENB2', 'MenB primary, 2 doses', '{MENB}', 2, 0, 12, NULL, NULL, 4),
  ('24M_DTAPIPVHIBHEPB3', 'DTaP/IPV/Hib/HepB (6-in-1), 3 doses', '{DIPHTHERIA,HEPB,HIB,PERTUSSIS,POLIO,TETANUS}', 3, 0, 24, NULL, NULL, 5),
  ('24M_DTAPIPVHIBHEPB4', 'DTaP/IPV/Hib/HepB (6-in-1), 4 doses (18-month booster)', '{DIPHTHERIA,HEPB,HIB,PERTUSSIS,POLIO,TETANUS}', 4, 0, 24, '2024-07-01', NULL, 6),
  ('24M_MMR1', 'MMR (or MMRV), 1 dose', '{MEASLES,MUMPS,RUBELLA}', 1, 12, 24, NULL, NULL, 7),
  ('24M_MMR2', 'MMR (or MMRV), 2 doses', '{MEASLES,MUMPS,RUBELLA}', 2, 12, 24, '2024-07-01', NULL, 8),
  ('24M_VAR1', 'Varicella (MMRV), 1 dose', '{VARICELLA}', 1, 12, 24, '2024-07-01', NULL, 9),
  ('24M_VAR2', 'Varicella (MMRV), 2 doses', '{VARICELLA}', 2, 12, 24, '2025-01-01', NULL, 10),
  ('24M_HIBMENC', 'Hib/MenC booster', '{HIB,MENC}', 1, 12, 24, NULL, '2024-06-30', 11),
  ('24M_PCVB', 'PCV booster', '{PCV}', 1, 12, 24, NULL, NULL, 12),
  ('24M_MENBB', 'MenB booster', '{MENB}', 1, 12, 24, NULL, NULL, 13),
  ('5Y_DTAPIPVHIB3', 'DTaP/IPV/Hib primary, 3 doses', '{DIPHTHERIA,HIB,PERTUSSIS,POLIO,TETANUS}', 3, 0, 60, NULL, NULL, 14),
  ('5Y_DTAPIPVHIBHEPB4', 'DTaP/IPV/Hib/HepB (6-in-1), 4 doses (18-month booster)', '{DIPHTHERIA,HEPB,HIB,PERTUSSIS,POLIO,TETANUS}', 4, 0, 60, '2024-07-01', NULL, 15),
  ('5Y_MMR1', 'MMR (or MMRV), 1 dose', '{MEASLES,MUMPS,RUBELLA}', 1, 12, 60, NULL, NULL, 16),
  ('5Y_MMR2', 'MMR (or MMRV), 2 doses', '{MEASLES,MUMPS,RUBELLA}', 2, 12, 60, NULL, NULL, 17),
  ('5Y_DTAPIPV_PRESCHOOL', 'dTaP/IPV pre-school booster', '{DIPHTHERIA,PERTUSSIS,POLIO,TETANUS}', 1, 36, 60, NULL, NULL, 18),
  ('5Y_HIBMENC', 'Hib/MenC booster', '{HIB,MENC}', 1, 12, 60, NULL, '2024-06-30', 19),
  ('5Y_VAR1', 'Varicella (MMRV), 1 dose', '{VARICELLA}', 1, 12, 60, '2022-09-01', '2024-06-30', 20),
  ('5Y_VAR2', 'Varicella (MMRV), 2 doses', '{VARICELLA}', 2, 12, 60, '2024-07-01', NULL, 21);
GRANT SELECT ON ims.cover_measure TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
SELECT audit.attach('ims.cover_measure');

-- Upper-tier authorities: COVER reports by county or unitary authority, while the register
-- places people in lower-tier districts. A district's county, as in ONS's local authority
-- district to county lookup (reference data like the postcode directory: import other areas'
-- rows the same way); an authority with no row here is its own upper tier (a unitary, a county,
-- a London borough). Seeded with Kent's twelve districts.
CREATE TABLE ims.la_upper_tier (
  la_code    text PRIMARY KEY CHECK (la_code ~ '^E0[6-9][0-9]{6}$'),
  upper_code text NOT NULL CHECK (upper_code ~ '^E1[01][0-9]{6}$'),
  upper_name text NOT NULL
);
INSERT INTO ims.la_upper_tier (la_code, upper_code, upper_name)
SELECT d, 'E10000016', 'Kent'
FROM unnest('{E07000105,E07000106,E07000107,E07000108,E07000109,E07000110,E07000111,E07000112,E07000113,E07000114,E07000115,E07000116}'::text[]) AS d;
GRANT SELECT ON ims.la_upper_tier TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
SELECT audit.attach('ims.la_upper_tier');

-- Every COVER return produced: who, when, which quarter and grouping, how many rows. Aggregates
-- read no one's record, but a return leaves the organisation, so each is on record.
CREATE TABLE audit.report_run (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor      text NOT NULL DEFAULT session_user,
  report     text NOT NULL,
  parameters jsonb NOT NULL,
  row_count  integer NOT NULL
);
CREATE INDEX report_run_at_idx ON audit.report_run USING brin (at);
REVOKE ALL ON audit.report_run FROM PUBLIC;
GRANT SELECT ON audit.report_run TO ims_administrator;

-- One row per child and measure that applies to them: the children in the caller's scope who
-- reached 12 months, 24 months or 5 years from p_from to p_to (inclusive), alive on that
-- birthday and not removed from the register, with
--   * practice_code: their practice when registered with one, else null;
--   * la_code: the responsible upper-tier authority: the registered practice's authority, or for a
--     child not registered with a practice the authority they live in (the register's, else from
--     the postcode: the postcode directory's LSOA, else the postcode sector), then its county
--     when it is a district (ims.la_upper_tier);
--   * had: days with a counting dose between from_age and by_age; needed: the measure's doses.
-- Set-based: the cohort by date of birth (person_dob_idx), its doses in one join
-- (vaccination_event_person_idx), grouped once. Called only by the api functions below.
CREATE FUNCTION ims.cover_facts(p_from date, p_to date, p_all boolean, p_practices text[], p_las text[])
RETURNS TABLE (person_id bigint, date_of_birth date, age_months integer, measure_id text, practice_code text, la_code text,
               had integer, needed integer)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  -- For each cohort age, the first and last dates of birth that reach it from p_from to p_to:
  -- exact for whole months from the first of a month to the end of a month (the quarter), and a
  -- plain range on the date-of-birth index that the planner can estimate.
  WITH ages AS MATERIALIZED (
    SELECT a.age, (p_from - make_interval(months => a.age))::date AS born_from,
           ((p_to + 1) - make_interval(months => a.age))::date - 1 AS born_to
    FROM (SELECT DISTINCT m.by_age_months::integer AS age FROM ims.cover_measure m) a
  ),
  kids AS MATERIALIZED (
    SELECT p.id, p.date_of_birth AS dob, a.age, (p.date_of_birth + make_interval(months => a.age))::date AS birthday,
           CASE WHEN p.registration_status = 'REGISTERED' THEN p.practice_code END AS practice,
           r.la
    FROM ages a
    JOIN ims.person p ON p.date_of_birth BETWEEN a.born_from AND a.born_to
    LEFT JOIN ims.gp_practice g ON g.code = p.practice_code
    CROSS JOIN LATERAL (
      SELECT CASE WHEN p.registration_status = 'REGISTERED' AND p.practice_code IS NOT NULL AND g.la_code IS NOT NULL THEN g.la_code
                  ELSE coalesce(p.la_code,
                                (SELECT l.la_code FROM ims.lsoa l
                                 WHERE l.code = coalesce(p.lsoa_code, (SELECT pl.lsoa_code FROM ims.postcode_lookup pl WHERE pl.postcode = p.postcode))),
                                (SELECT ps.la_code FROM ims.postcode_sector ps WHERE ps.sector = p.postcode_sector)) END AS lower) w
    LEFT JOIN ims.la_upper_tier ut ON ut.la_code = w.lower
    CROSS JOIN LATERAL (SELECT coalesce(ut.upper_code, w.lower) AS la) r
    WHERE p.registration_status <> 'DEREGISTERED'
      AND (p.date_of_death IS NULL OR p.date_of_death >= (p.date_of_birth + make_interval(months => a.age))::date)
      AND (p_all OR p.practice_code = ANY (p_practices) OR p.la_code = ANY (p_las))
  ),
  -- The products that count for each measure: those protecting against all its antigens.
  counting AS MATERIALIZED (
    SELECT m.id AS measure_id, m.by_age_months::integer AS age, pa.product_code
    FROM ims.cover_measure m
    JOIN ims.product_antigen pa ON pa.antigen_code = ANY (m.antigens)
    GROUP BY m.id, m.by_age_months, pa.product_code, m.antigens
    HAVING count(DISTINCT pa.antigen_code) = cardinality(m.antigens)
  ),
  -- The measures that apply to each child, with the day from which doses count (dates worked
  -- out once here, not once per dose).
  due AS (
    SELECT k.id, k.dob, k.age, k.practice, k.la, m.id AS measure_id, m.doses,
           (k.dob + make_interval(months => m.from_age_months::integer))::date AS counts_from
    FROM kids k
    JOIN ims.cover_measure m
      ON m.by_age_months = k.age AND (m.born_from IS NULL OR k.dob >= m.born_from) AND (m.born_to IS NULL OR k.dob <= m.born_to)
  ),
  -- Each child's doses before the birthday, read by person (an index range per child, never a
  -- scan of every event: OFFSET 0 keeps the planner from turning the lateral read into a hash
  -- join over the whole events table).
  doses AS (
    SELECT k.id, k.age, e.occurred_on, e.product_code
    FROM kids k
    CROSS JOIN LATERAL (
      SELECT e.occurred_on, e.product_code FROM ims.vaccination_event e
      WHERE e.person_id = k.id AND e.occurred_on < k.birthday AND e.status = 'ACTIVE' AND e.outcome = 'GIVEN'
      OFFSET 0) e
  ),
  -- Days with a dose that counts for a measure, per child and measure.
  had AS (
    SELECT d.id, d.age, c.measure_id, d.occurred_on
    FROM doses d JOIN counting c ON c.product_code = d.product_code
  )
  SELECT u.id, u.dob, u.age, u.measure_id, u.practice, u.la,
         count(DISTINCT h.occurred_on)::integer, u.doses::integer
  FROM due u
  LEFT JOIN had h ON h.id = u.id AND h.age = u.age AND h.measure_id = u.measure_id AND h.occurred_on >= u.counts_from
  GROUP BY u.id, u.dob, u.age, u.measure_id, u.doses, u.practice, u.la
$$;
REVOKE EXECUTE ON FUNCTION ims.cover_facts(date, date, boolean, text[], text[]) FROM PUBLIC;

-- The quarter a return is for: the first of January, April, July or October.
CREATE FUNCTION ims.cover_check_quarter(p_from date, p_by text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_from IS NULL OR extract(day FROM p_from) <> 1 OR extract(month FROM p_from) NOT IN (1, 4, 7, 10)
     OR p_by IS NULL OR p_by NOT IN ('practice', 'local-authority') THEN
    RAISE EXCEPTION 'Ask for a quarter starting on 1 January, April, July or October, by practice or local authority.'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.cover_check_quarter(date, text) FROM PUBLIC;

-- The return: for each area (and a total row, group_code null and is_total) and each measure,
-- how many children it applies to (denominator), how many had the doses (numerator) and the
-- percentage to one decimal place. Exact for those who may read records (the return is
-- submitted as counted); for analysts, through the one small-number rule (ims.small_number, 0026)
-- as every other aggregate. Each return is written to audit.report_run.
CREATE FUNCTION api.cover_return(p_quarter_from date, p_by text)
RETURNS TABLE (group_code text, group_name text, is_total boolean, measure_id text, denominator integer, numerator integer,
               percent double precision, exact boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_exact boolean := ims.may_read_people();
  v_to date;
  v_rows integer;
BEGIN
  PERFORM ims.cover_check_quarter(p_quarter_from, p_by);
  IF ims.is_application_user() AND NOT ims.is_registered_user() THEN
    RETURN;
  END IF;
  v_to := (p_quarter_from + interval '3 months')::date - 1;
  RETURN QUERY
  WITH f AS (
    SELECT CASE p_by WHEN 'practice' THEN x.practice_code ELSE x.la_code END AS grp, x.measure_id, x.had >= x.needed AS done
    FROM ims.cover_facts(p_quarter_from, v_to, v_all,
                         CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END,
                         CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END) x
  ), g AS (
    SELECT f.grp, GROUPING(f.grp) = 1 AS total, f.measure_id, count(*) AS n, count(*) FILTER (WHERE f.done) AS v
    FROM f GROUP BY GROUPING SETS ((f.grp, f.measure_id), (f.measure_id))
  ), shown AS (
    SELECT g.grp, g.total, g.measure_id,
           CASE WHEN v_exact THEN g.n ELSE ims.small_number(g.n) END AS n,
           CASE WHEN v_exact THEN g.v
                WHEN ims.small_number(g.n) IS NULL OR ims.small_number(g.n - g.v) IS NULL THEN NULL
                ELSE ims.small_number(g.v) END AS v,
           CASE WHEN v_exact OR (ims.small_number(g.n) IS NOT NULL AND ims.small_number(g.n - g.v) IS NOT NULL
                                 AND ims.small_number(g.v) IS NOT NULL)
                THEN round(100.0 * g.v / g.n, 1)::double precision END AS pct
    FROM g
  ), named AS (
    SELECT s.*,
           CASE WHEN s.total THEN 'All in your scope'
                WHEN s.grp IS NULL THEN CASE p_by WHEN 'practice' THEN 'Not registered with a practice' ELSE 'Authority not known' END
                WHEN p_by = 'practice' THEN coalesce((SELECT o.name FROM ims.organisation o WHERE o.code = s.grp), s.grp)
                ELSE coalesce((SELECT la.name FROM ims.local_authority la WHERE la.code = s.grp),
                              (SELECT min(ut.upper_name) FROM ims.la_upper_tier ut WHERE ut.upper_code = s.grp), s.grp) END AS name
    FROM shown s
  )
  SELECT s.grp, s.name, s.total, s.measure_id, s.n::integer, s.v::integer, s.pct, v_exact
  FROM named s JOIN ims.cover_measure m ON m.id = s.measure_id
  ORDER BY s.total, s.grp IS NULL, s.name, s.grp, m.sort_order;
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  INSERT INTO audit.report_run (report, parameters, row_count)
  VALUES ('COVER', jsonb_build_object('quarterFrom', p_quarter_from, 'by', p_by), v_rows);
END
$$;

-- The children behind a return's figures who were not counted: in the caller's scope, in one
-- area (p_group_code; p_no_group for those with none; both empty for the whole scope), of one
-- cohort (p_age_months 12, 24 or 60; null for all three), missing one measure (p_measure_id) or any, each with what is missing (had and needed per measure).
-- At most p_limit children, by name; total says how many there are. Names and NHS numbers
-- are a look at each child's record, so each listed child is written to audit.record_view.
-- Not for analysts, who read aggregates only.
CREATE FUNCTION api.cover_not_counted(p_quarter_from date, p_by text, p_group_code text, p_no_group boolean,
                                      p_age_months integer, p_measure_id text, p_limit integer)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_to date;
  v_result jsonb;
BEGIN
  PERFORM ims.cover_check_quarter(p_quarter_from, p_by);
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 1000 OR p_no_group IS NULL OR (p_no_group AND p_group_code IS NOT NULL)
     OR (p_age_months IS NOT NULL AND p_age_months NOT IN (12, 24, 60))
     OR (p_measure_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ims.cover_measure m WHERE m.id = p_measure_id)) THEN
    RAISE EXCEPTION 'Ask for 1 to 1000 children, one area or none, a cohort of 12, 24 or 60 months or all, and a known measure or any.'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF NOT ims.may_read_people() THEN
    RAISE EXCEPTION 'Only those who may read records see which children were not counted.' USING ERRCODE = 'insufficient_privilege';
  END IF;
  v_to := (p_quarter_from + interval '3 months')::date - 1;
  WITH f AS (
    SELECT x.* FROM ims.cover_facts(p_quarter_from, v_to, v_all,
                                    CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END,
                                    CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END) x
    WHERE (p_age_months IS NULL OR x.age_months = p_age_months)
      AND CASE WHEN p_no_group THEN (CASE p_by WHEN 'practice' THEN x.practice_code ELSE x.la_code END) IS NULL
               WHEN p_group_code IS NULL THEN true
               ELSE (CASE p_by WHEN 'practice' THEN x.practice_code ELSE x.la_code END) = p_group_code END
  ), missing AS (
    SELECT f.person_id, f.age_months,
           jsonb_agg(jsonb_build_object('measureId', m.id, 'label', m.label, 'had', f.had, 'needed', f.needed) ORDER BY m.sort_order) AS what
    FROM f JOIN ims.cover_measure m ON m.id = f.measure_id
    WHERE f.had < f.needed
    GROUP BY f.person_id, f.age_months
    HAVING p_measure_id IS NULL OR bool_or(f.measure_id = p_measure_id)
  ), listed AS (
    SELECT ms.person_id, ms.age_months, ms.what, p.nhs_number, p.given_name, p.family_name, p.date_of_birth, p.practice_code,
           coalesce(o.name, p.practice_code) AS practice_name, p.postcode,
           count(*) OVER () AS total
    FROM missing ms JOIN ims.person p ON p.id = ms.person_id
    LEFT JOIN ims.organisation o ON o.code = p.practice_code
    ORDER BY p.family_name, p.given_name, p.date_of_birth, p.id
    LIMIT p_limit
  ), audited AS (
    INSERT INTO audit.record_view (person_id, purpose)
    SELECT DISTINCT l.person_id, 'COVER return: children not counted' FROM listed l
    WHERE ims.is_application_user()
    RETURNING person_id
  )
  SELECT jsonb_build_object(
    'total', coalesce((SELECT max(l.total) FROM listed l), 0),
    'children', coalesce((SELECT jsonb_agg(jsonb_build_object(
                   'personId', l.person_id, 'nhsNumber', l.nhs_number, 'givenName', l.given_name, 'familyName', l.family_name,
                   'dateOfBirth', l.date_of_birth, 'ageMonths', l.age_months, 'practiceCode', l.practice_code,
                   'practiceName', l.practice_name, 'postcode', l.postcode, 'missing', l.what)
                   ORDER BY l.family_name, l.given_name, l.date_of_birth, l.person_id) FROM listed l), '[]'::jsonb),
    'audited', (SELECT count(*) FROM audited))
  INTO v_result;
  RETURN v_result - 'audited';
END
$$;

REVOKE EXECUTE ON FUNCTION api.cover_return(date, text), api.cover_not_counted(date, text, text, boolean, integer, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.cover_return(date, text)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
GRANT EXECUTE ON FUNCTION api.cover_not_counted(date, text, text, boolean, integer, text, integer)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;
