// For tests only. The cohort functions the confirmation calls (ims.cohort_member_ids and
// ims.cohort_check_definition) belong to the cohorts domain's migration; until a database has
// them, these stand-ins give the same shape: the members of a definition in the caller's scope,
// by its `practice` criterion (everyone in scope without one), the deceased left out.
/** Runs SQL as the owner (the tests' TestDatabase). */
interface OwnerQuery {
  query: <R extends object>(sql: string) => Promise<{ rows: R[] }>;
}

export async function ensureCohortFunctions(db: OwnerQuery): Promise<void> {
  const present = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace
     WHERE s.nspname = 'ims' AND p.proname IN ('cohort_member_ids', 'cohort_check_definition')`,
  );
  if (present.rows[0]!.n === 2) return;
  await db.query(`
    CREATE FUNCTION ims.cohort_check_definition(p_definition jsonb) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
    BEGIN
      IF p_definition->>'format' IS DISTINCT FROM '1' OR jsonb_typeof(p_definition->'criteria') <> 'object' THEN
        RAISE EXCEPTION 'Not a cohort definition of format 1.' USING ERRCODE = 'invalid_parameter_value';
      END IF;
    END $$;
    CREATE FUNCTION ims.cohort_member_ids(p_definition jsonb) RETURNS TABLE (person_id bigint)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DECLARE
      v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
      v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
      v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
    BEGIN
      RETURN QUERY SELECT p.id FROM ims.person p
      WHERE (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)))
        AND p.date_of_death IS NULL
        AND (p_definition->'criteria'->'practice' IS NULL
             OR p.practice_code IN (SELECT jsonb_array_elements_text(p_definition->'criteria'->'practice')));
    END $$;
    REVOKE EXECUTE ON FUNCTION ims.cohort_check_definition(jsonb), ims.cohort_member_ids(jsonb) FROM PUBLIC;`);
}
