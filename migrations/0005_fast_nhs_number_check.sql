-- The NHS number check runs for every person row written (a CHECK constraint), so bulk loads
-- of millions of rows feel its cost. Same rule as 0001 (Modulus 11, weights 10..2, a check of
-- 11 means 0 and 10 is never valid), as one arithmetic expression instead of a subquery.
CREATE OR REPLACE FUNCTION ims.nhs_number_valid(n text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT n ~ '^[0-9]{10}$' AND (
    (11 - ((  10 * (get_byte(n::bytea, 0) - 48) + 9 * (get_byte(n::bytea, 1) - 48)
            +  8 * (get_byte(n::bytea, 2) - 48) + 7 * (get_byte(n::bytea, 3) - 48)
            +  6 * (get_byte(n::bytea, 4) - 48) + 5 * (get_byte(n::bytea, 5) - 48)
            +  4 * (get_byte(n::bytea, 6) - 48) + 3 * (get_byte(n::bytea, 7) - 48)
            +  2 * (get_byte(n::bytea, 8) - 48)) % 11)) % 11
  ) = get_byte(n::bytea, 9) - 48
$$;
