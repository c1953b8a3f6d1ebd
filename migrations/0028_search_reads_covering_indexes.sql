-- Person search within its time at regional scale (issue 7: every kind of search at most 20 ms
-- at the 95th percentile on 2,000,000 people, as a scoped user). On the bench region a partial
-- name with a postcode sector took 136 ms at the 95th percentile (over a second at worst) and a
-- surname alone 29 ms, for two reasons:
--
-- 1. The caller's scope was tested on the table's rows, so every candidate cost a visit to the
--    heap, and counting up to 1,001 matches of a common surname read about a thousand pages.
--    The indexes that search reads now carry the practice and local authority too (INCLUDE),
--    so which rows match, in scope and in name order, is read from the index alone; only the
--    page shown (at most 51 rows) is then fetched from the table.
-- 2. The planner cannot estimate a name prefix (a range between 'oli' and 'oli' followed by the
--    highest code point): it guessed a dozen rows for a surname thousands of people share, and
--    so walked the whole name index filtering for a postcode sector, or fetched every Day in the
--    region to sort them. With the scope as plain "= ANY" arrays (hashed, and estimated from
--    the column statistics) and an index for each way a search is ordered, the index in the
--    right order is the cheapest plan whatever the estimate.

-- Name order, with the scope: surname alone, surname and given name.
CREATE INDEX person_name_scope_idx ON ims.person (family_name_key, given_name_key, date_of_birth, id)
  INCLUDE (practice_code, la_code);
DROP INDEX ims.person_name_key_idx;

-- Date of birth first: surname (or its first letters) with a date of birth, and the age bands
-- the status refresh and cohorts select by.
CREATE INDEX person_dob_name_idx ON ims.person (date_of_birth, family_name_key, given_name_key, id)
  INCLUDE (practice_code, la_code);
DROP INDEX ims.person_dob_idx;

-- A postcode sector or district, alone (in name order) or with a partial name.
CREATE INDEX person_sector_name_idx ON ims.person (postcode_sector, family_name_key, given_name_key, date_of_birth, id)
  INCLUDE (practice_code, la_code);
DROP INDEX ims.person_sector_idx;
CREATE INDEX person_district_name_idx ON ims.person (postcode_district, family_name_key, given_name_key, date_of_birth, id)
  INCLUDE (practice_code, la_code);
DROP INDEX ims.person_district_idx;

-- The statement for one search, as in 0023 (same parameters, same fixed pieces), except:
-- the scope is "= ANY" of the arrays; and a page first picks its rows' ids in name order from
-- the columns the indexes hold, then fetches those rows, so a page costs at most 51 visits to
-- the table however many people match.
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
    WHEN 'nhs-number' THEN w := ARRAY['p.nhs_number = $1'];
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
