-- A user registered in one IMS database has no access to another on the same server. Group
-- roles are server-wide, and the administrator check tested membership only, so an
-- administrator of one database was an administrator of every IMS database on the server; any
-- member of a group could also read the reference data and write what the group may write
-- (attack review, issue 7, finding 2). Now every check also asks this database: the user must
-- be registered in its ims.app_user and not disabled.
--
-- Per-database group roles would say the same with grants, but every grant in every migration
-- names the shared groups, and a database cloned from a template would share its groups
-- anyway; one check in the database travels with its data.

CREATE FUNCTION ims.is_registered_user() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM ims.app_user u WHERE u.role_name = session_user::text AND u.disabled_at IS NULL)
$$;

-- Row-level security on persons, person-linked tables, users and record views already goes
-- through this function and the scope functions (which read this database's ims.user_scope).
-- A superuser passes, as before (pg_has_role counts them members of every role): they can do
-- anything anyway, and the command line's audited opening of a record relies on it.
CREATE OR REPLACE FUNCTION ims.is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false)
      OR (pg_catalog.pg_has_role(session_user, 'ims_administrator', 'USAGE') AND ims.is_registered_user())
$$;

-- Tables the groups reach without row-level security: reference data (read by everyone,
-- written by administrators), batches, refresh history. An unregistered member of a group sees
-- and changes none of it. The owner owns the tables and is not subject to these policies.
DO $$
DECLARE
  t regclass;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'ims.organisation', 'ims.gp_practice', 'ims.local_authority', 'ims.lsoa', 'ims.postcode_sector',
    'ims.postcode_lookup', 'ims.school', 'ims.ethnic_category', 'ims.flag_type', 'ims.antigen', 'ims.programme',
    'ims.vaccine_product', 'ims.product_antigen', 'ims.product_procedure', 'ims.batch', 'ims.series_status_refresh'
  ]::regclass[] LOOP
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    -- In a subquery, so it is evaluated once per statement rather than once per row.
    EXECUTE format('CREATE POLICY registered_user ON %s USING ((SELECT ims.is_registered_user())) '
                   'WITH CHECK ((SELECT ims.is_registered_user()))', t);
  END LOOP;
END
$$;

-- The change log holds whole rows of clinical data: administrators of this database only.
ALTER TABLE audit.change_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY administrators_here ON audit.change_log FOR SELECT USING ((SELECT ims.is_admin()));

-- The directory of colleagues' names is this database's users' business only.
CREATE OR REPLACE VIEW ims.user_directory AS
  SELECT role_name, display_name FROM ims.app_user WHERE (SELECT ims.is_registered_user());
