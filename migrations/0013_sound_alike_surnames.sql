-- Near matches for person search: surnames that sound alike (Smyth and Smith, Thomson and
-- Thompson, Stephens and Stevens, Reid and Read). Each person gets a stored "sound key" of their
-- surname, and search offers people whose key equals the typed surname's, marked as near
-- matches. The key is plain SQL rather than an extension's soundex or metaphone: those codes
-- keep Thomson and Thompson apart, a regional server may not allow CREATE EXTENSION, and a
-- rule anyone can read is one a clerk can be told.
--
-- The key, in order: lower case, accents and anything but letters removed; spellings that
-- sound the same rewritten (ph -> f, th -> t, ck -> k, c before e/i/y -> s, other c and q ->
-- k, x -> ks, z -> s, v -> f, mps -> ms, sch -> sh, kn/wr/wh at the start -> n/r/w, gh after
-- a letter silent); doubled letters made single; then every vowel, y, h and w after the first
-- letter dropped. Smith, Smyth and Smithe all give "smt"; Thompson and Thomson give "tmsn".
--
-- Search compares the stored key by equality: a leakproof comparison, so the index below is
-- usable under row-level security (see 0007). The function is IMMUTABLE because a generated
-- column needs it; changing it means recomputing the column in a new migration.

CREATE FUNCTION ims.name_sound_key(p_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT SET search_path = pg_catalog, pg_temp AS $$
  WITH letters AS (
    SELECT regexp_replace(
             translate(lower(p_name), 'àáâãäåāçćčèéêëēėęìíîïīñńòóôõöøōœùúûüūýÿžźżşšßł',
                                      'aaaaaaaccceeeeeeeiiiiinnoooooooouuuuuyyzzzsssl'),
             '[^a-z]', '', 'g') AS s
  ),
  spelled AS (
    SELECT regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
           regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
           regexp_replace(regexp_replace(regexp_replace(regexp_replace(
             s,
             '^kn', 'n'), '^wr', 'r'), '^wh', 'w'),
             '(.)gh', '\1', 'g'),
             'sch', 'sh', 'g'), 'ph', 'f', 'g'), 'th', 't', 'g'), 'ck', 'k', 'g'),
             'c([eiy])', 's\1', 'g'), '[cq]', 'k', 'g'),
             'x', 'ks', 'g'), 'z', 's', 'g'), 'v', 'f', 'g'),
             'mps', 'ms', 'g') AS s
    FROM letters
  ),
  single AS (
    SELECT regexp_replace(s, '(.)\1+', '\1', 'g') AS s FROM spelled
  )
  SELECT left(s, 1) || regexp_replace(substr(s, 2), '[aeiouyhw]', '', 'g') FROM single
$$;

ALTER TABLE ims.person
  ADD COLUMN family_name_sound text COLLATE "C" GENERATED ALWAYS AS (ims.name_sound_key(family_name)) STORED;

-- One index finds a sound-alike surname's people in name order (the first page straight off
-- the index); with a date of birth, the date is checked inside the same index range.
CREATE INDEX person_name_sound_idx ON ims.person (family_name_sound, family_name_key, given_name_key, date_of_birth, id);
