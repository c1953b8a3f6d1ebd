-- The person register, too, only through functions (issue 7, finding 1). With SELECT on
-- ims.person, EXPLAIN ANALYZE's "Rows Removed by Filter" counted the people row-level security
-- hid: a scoped user confirmed which NHS numbers exist and walked names and dates of birth
-- across the region. Now the groups below administrator may read the id column only (which the
-- person-linked tables' policies need, and which says nothing about anyone), and search, the
-- dates the recording form checks and the forecast's person go through functions that apply
-- the caller's scope once per statement and reveal nothing about anyone else. Administrators
-- see the whole register anyway, so nothing is hidden from them to count, and they keep SELECT.
--
-- Search runs as the owner, so no policy stands between its conditions and the indexes: name
-- prefixes are plain ranges on the byte-ordered keys (0007), read straight off the index.

-- The statement for one search, as text with numbered parameters, built only from fixed pieces
-- chosen by the query's kind (never from its values, which are bound):
--   $1 NHS number, $2 surname, $3 given name, $4 date of birth, $5 partial name, $6 postcode,
--   $7 sees everyone, $8 practices in scope, $9 local authorities in scope, $10 limit, $11 offset.
-- p_statement: 'page' (one page of matches in name order), 'count' (how many, up to the limit),
-- 'near' (surnames that sound like $2 but are spelled otherwise). Null for a query it does not
-- know, or a near-match search without a surname. The owner may read it (the plan tests do).
CREATE FUNCTION ims.person_search_sql(p_query jsonb, p_statement text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  k       text := p_query->>'kind';
  scope   text := '($7 OR p.practice_code IN (SELECT unnest($8::text[])) OR p.la_code IN (SELECT unnest($9::text[])))';
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
  RETURN format('SELECT %s FROM ims.person p LEFT JOIN ims.organisation o ON o.code = p.practice_code WHERE %s ORDER BY %s LIMIT $10 OFFSET $11',
                cols, array_to_string(w, ' AND '), ord);
END
$$;
REVOKE EXECUTE ON FUNCTION ims.person_search_sql(jsonb, text) FROM PUBLIC;

-- Runs one search statement as the owner with the caller's scope; an unregistered caller's
-- scope is empty. Limits are bounded so that no call reads more than the application pages.
CREATE FUNCTION ims.person_search_run(p_query jsonb, p_statement text, p_limit integer, p_offset integer)
RETURNS TABLE (id bigint, nhs_number text, given_name text, family_name text, date_of_birth date, gender_code text,
               postcode text, practice_code text, practice_name text, date_of_death date)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_sql text := ims.person_search_sql(p_query, p_statement);
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
BEGIN
  IF p_limit IS NULL OR p_limit < 1 OR p_limit > 1001 OR p_offset IS NULL OR p_offset < 0 OR p_offset > 1000 THEN
    RAISE EXCEPTION 'Search at most 1001 rows at a time, within the first 1000 matches.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF v_sql IS NULL OR p_statement = 'count' THEN
    RAISE EXCEPTION 'Not a search this function runs.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY EXECUTE v_sql
    USING p_query->>'nhsNumber', p_query->>'surname', p_query->>'givenName', p_query->>'dateOfBirth', p_query->>'name',
          p_query->'postcode'->>'value', v_all, v_practices, v_las, p_limit, p_offset;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.person_search_run(jsonb, text, integer, integer) FROM PUBLIC;

-- p_query is the application's parsed search (main-api/people/search.rules.ts, SearchQuery).
CREATE FUNCTION api.person_search(p_query jsonb, p_limit integer, p_offset integer)
RETURNS TABLE (id bigint, nhs_number text, given_name text, family_name text, date_of_birth date, gender_code text,
               postcode text, practice_code text, practice_name text, date_of_death date)
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT * FROM ims.person_search_run(p_query, 'page', p_limit, p_offset)
$$;

CREATE FUNCTION api.person_near_matches(p_query jsonb, p_limit integer)
RETURNS TABLE (id bigint, nhs_number text, given_name text, family_name text, date_of_birth date, gender_code text,
               postcode text, practice_code text, practice_name text, date_of_death date)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF ims.person_search_sql(p_query, 'near') IS NOT NULL AND length(p_query->>'surname') >= 3 THEN
    RETURN QUERY SELECT * FROM ims.person_search_run(p_query, 'near', p_limit, 0);
  END IF;
END
$$;

CREATE FUNCTION api.person_search_count(p_query jsonb, p_cap integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_sql text := ims.person_search_sql(p_query, 'count');
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_n integer;
BEGIN
  IF p_cap IS NULL OR p_cap < 1 OR p_cap > 1001 OR v_sql IS NULL THEN
    RAISE EXCEPTION 'Count a known search up to at most 1001 matches.' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  EXECUTE v_sql INTO v_n
    USING p_query->>'nhsNumber', p_query->>'surname', p_query->>'givenName', p_query->>'dateOfBirth', p_query->>'name',
          p_query->'postcode'->>'value', v_all,
          CASE WHEN v_all THEN '{}'::text[] ELSE ims.scope_practices() END,
          CASE WHEN v_all THEN '{}'::text[] ELSE ims.scope_local_authorities() END, p_cap, 0;
  RETURN v_n;
END
$$;

-- The dates the recording form checks a dose against, and what the forecast engine reads about
-- the person. Not clinical, and not audited, like a search result; nothing for anyone else.
CREATE FUNCTION api.person_basics(p_person_id bigint)
RETURNS TABLE (id bigint, date_of_birth date, date_of_death date, gender_code text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.is_application_user() OR ims.person_in_scope(p_person_id) THEN
    RETURN QUERY SELECT p.id, p.date_of_birth, p.date_of_death, p.gender_code FROM ims.person p WHERE p.id = p_person_id;
  END IF;
END
$$;

REVOKE EXECUTE ON FUNCTION api.person_search(jsonb, integer, integer), api.person_near_matches(jsonb, integer),
  api.person_search_count(jsonb, integer), api.person_basics(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.person_search(jsonb, integer, integer), api.person_near_matches(jsonb, integer),
  api.person_search_count(jsonb, integer), api.person_basics(bigint)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;

REVOKE SELECT ON ims.person FROM ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
GRANT SELECT (id) ON ims.person TO ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
