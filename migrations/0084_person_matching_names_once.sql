-- Person matching at regional scale (ims.match_people, 0040): the same rules and answers, with
-- each name normalised once rather than once per use. Measured on the bench's 2M region as
-- loaded, 100,000 staged rows took 53 s in one call; most of it was the name functions, called
-- up to nine times for each candidate.

CREATE OR REPLACE FUNCTION ims.match_people(p_rows ims.match_input[])
RETURNS TABLE (row_no integer, person_id bigint, points integer, family_points integer, given_points integer,
               dob_points integer, sex_points integer, postcode_points integer, nhs text, twin boolean, certain boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  -- Each name is normalised once per row (the normalising functions are not inlined, and each
  -- call costs as much as a candidate lookup).
  WITH raw AS MATERIALIZED (
    SELECT r.row_no, r.nhs_number, ims.nhs_number_valid(r.nhs_number) AS valid,
           ims.match_name(r.family_name) AS fam, ims.match_given(r.given_name) AS giv,
           r.date_of_birth AS dob, coalesce(r.gender_code, '0') AS sex,
           nullif(upper(regexp_replace(btrim(coalesce(r.postcode, '')), '\s+', ' ', 'g')), '') AS pc
    FROM unnest(p_rows) AS r
  ),
  input AS MATERIALIZED (
    SELECT w.row_no, CASE WHEN w.valid THEN w.nhs_number END AS nhs,
           nullif(btrim(coalesce(w.nhs_number, '')), '') IS NOT NULL AND NOT w.valid AS nhs_invalid,
           w.fam, w.giv, ims.name_sound_key(w.fam) AS fam_sound, ims.name_sound_key(w.giv) AS giv_sound, w.dob, w.sex, w.pc
    FROM raw w
  ),
  -- Candidates: the person with the NHS number, and people born that day whose surname sounds
  -- alike (either way round) or who live at the postcode.
  pairs AS (
    SELECT i.row_no, p.id FROM input i JOIN ims.person p ON p.nhs_number = i.nhs
    UNION
    SELECT i.row_no, p.id FROM input i JOIN ims.person p ON p.date_of_birth = i.dob
     AND (p.family_name_sound IN (i.fam_sound, i.giv_sound) OR p.postcode = i.pc)
  ),
  -- Each candidate's names normalised once, for the points and the twin checks below.
  cand AS MATERIALIZED (
    SELECT x.row_no, p.id AS person_id, p.date_of_birth, p.postcode, p.gender_code, p.nhs_number, p.family_name_sound,
           ims.match_name(p.family_name) AS pfam, ims.match_given(p.given_name) AS pgiv
    FROM pairs x JOIN ims.person p ON p.id = x.id
  ),
  scored AS (
    SELECT c.row_no, c.person_id, c.date_of_birth, c.postcode, c.pfam, c.pgiv,
      CASE WHEN c.pfam = i.fam AND i.fam <> '' THEN 25
           WHEN c.pfam = i.giv AND c.pgiv = i.fam AND i.fam <> '' THEN 25
           WHEN c.family_name_sound = i.fam_sound AND i.fam <> '' THEN 15
           ELSE 0 END AS family_points,
      CASE WHEN c.pgiv = i.giv AND i.giv <> '' THEN 20
           WHEN c.pfam = i.giv AND c.pgiv = i.fam AND i.giv <> '' THEN 20
           WHEN left(c.pgiv, 1) = left(i.giv, 1) AND i.giv <> '' THEN 8
           ELSE 0 END AS given_points,
      CASE WHEN c.date_of_birth = i.dob THEN 30 ELSE 0 END AS dob_points,
      CASE WHEN c.gender_code IN ('1', '2') AND i.sex IN ('1', '2')
           THEN CASE WHEN c.gender_code = i.sex THEN 5 ELSE -10 END ELSE 0 END AS sex_points,
      CASE WHEN c.postcode = i.pc THEN 20
           WHEN split_part(c.postcode, ' ', 1) = split_part(i.pc, ' ', 1) THEN 8
           ELSE 0 END AS postcode_points,
      CASE WHEN i.nhs_invalid THEN 'invalid' WHEN i.nhs IS NULL THEN 'absent' WHEN i.nhs = c.nhs_number THEN 'same' ELSE 'different' END AS nhs
    FROM cand c JOIN input i ON i.row_no = c.row_no
  ),
  totals AS (
    SELECT s.*, s.family_points + s.given_points + s.dob_points + s.sex_points + s.postcode_points AS points FROM scored s
  ),
  -- What the other candidates of the same row say, by window rather than a search per
  -- candidate, so a file of any size is one pass: twins (another candidate born the same day at
  -- the same postcode, or with the same surname, with another given name: where the given names
  -- in such a group are not all the same, each has one that differs), rivals (another plausible
  -- match), named rivals (another with the given name sent and 70 points).
  flagged AS (
    SELECT t.*,
      (t.postcode IS NOT NULL AND min(t.pgiv) OVER same_address <> max(t.pgiv) OVER same_address)
        OR min(t.pgiv) OVER same_family <> max(t.pgiv) OVER same_family AS twin,
      count(*) FILTER (WHERE t.points >= 50 OR t.nhs = 'same') OVER same_row
        - (CASE WHEN t.points >= 50 OR t.nhs = 'same' THEN 1 ELSE 0 END) > 0 AS rival,
      count(*) FILTER (WHERE t.given_points = 20 AND t.points >= 70) OVER same_row
        - (CASE WHEN t.given_points = 20 AND t.points >= 70 THEN 1 ELSE 0 END) > 0 AS named_rival
    FROM totals t
    WINDOW same_row AS (PARTITION BY t.row_no),
           same_address AS (PARTITION BY t.row_no, t.date_of_birth, t.postcode),
           same_family AS (PARTITION BY t.row_no, t.date_of_birth, t.pfam)
  )
  SELECT f.row_no, f.person_id, f.points, f.family_points, f.given_points, f.dob_points, f.sex_points,
         f.postcode_points, f.nhs, f.twin,
         (f.nhs = 'same' AND f.dob_points = 30 AND f.given_points = 20 AND f.points >= 70 AND NOT f.named_rival)
         OR (f.nhs = 'absent' AND f.points >= 90 AND f.family_points = 25 AND f.given_points = 20 AND NOT f.rival AND NOT f.twin) AS certain
  FROM flagged f
$$;

