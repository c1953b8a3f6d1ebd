-- Row-level security checks a policy after the caller's own conditions, so on a table a role
-- may read, EXPLAIN ANALYZE counts the rows a policy removed (issue 7, finding 1). 0022 and
-- 0023 closed the clinical tables and the register's columns to every group but the
-- administrators, and 0025 who viewed which record; this closes the rest that mattered: the
-- register to administrators, and who holds which scope. What stays readable directly is listed in
-- the README's security section.

-- Administrators read the register through the api functions, as everyone else has since 0023.
-- Group roles are server-wide: a member of ims_administrator who is registered only in another
-- IMS database holds the group's grants here too. Row-level security hid every person from
-- them (0021), but the policy is checked after the caller's own conditions, and with SELECT on
-- every column those conditions can name anything: EXPLAIN ANALYZE of
-- "WHERE nhs_number = '...'" counts the row the policy removed, which tells them who is on the
-- register here, and walks names and dates of birth (issue 7, findings 1 and 2 together).
--
-- Like the other groups, administrators now read only the id directly (which the person-linked
-- policies and UPDATE ... WHERE id = need); search, the record and the command line's forecast
-- by NHS number go through api.person_search and the record functions, which check that the
-- caller is registered here. Their rights to change and remove persons are unchanged.
REVOKE SELECT ON ims.person FROM ims_administrator;
GRANT SELECT (id) ON ims.person TO ims_administrator;

-- A user's own organisations, through a function as well. Every group read ims.app_user and
-- ims.user_scope directly (their policies showed the caller's own rows, and an administrator's
-- all), so EXPLAIN ANALYZE of "WHERE role_name = ... AND org_code = ..." told anyone a
-- colleague's scope, and told an administrator of another database who is registered here.
-- Colleagues' names stay in ims.user_directory, which asks this database first.
CREATE FUNCTION api.my_organisations() RETURNS TABLE (code text, name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT o.code, o.name FROM ims.user_scope s JOIN ims.organisation o ON o.code = s.org_code
  WHERE s.role_name = session_user::text AND ims.is_registered_user()
  ORDER BY o.name, o.code
$$;
REVOKE EXECUTE ON FUNCTION api.my_organisations() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.my_organisations()
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
REVOKE SELECT ON ims.app_user, ims.user_scope FROM ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
