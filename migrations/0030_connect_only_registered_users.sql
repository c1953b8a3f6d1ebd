-- A user registered in one IMS database has no access to another on the same server, closed at
-- the door (issue 7, finding 2). The group roles are server-wide and every database is open to
-- PUBLIC by default, so an administrator registered only in another IMS database could connect
-- here; 0021 makes them nobody inside, but EXPLAIN ANALYZE on the tables the administrators'
-- group may read (the change log by row id, reference data) still counts rows the policies
-- hide. Now the database is closed to PUBLIC and only its registered, enabled users hold
-- CONNECT. User administration calls the same function after every change to a user.
--
-- Only the database's owner (or a member of it, or a superuser) can close it to PUBLIC, and only
-- a role holding CONNECT with the grant option can admit users. A caller without the right
-- changes nothing it may not change and gets back the statements a DBA must run instead, so that
-- neither this migration nor user administration fails where the owner of the schema does not
-- own the database. The statements are in the order to run them: users first, then PUBLIC.

-- Whether the role (0 for PUBLIC) holds CONNECT on this database by a grant of its own,
-- rather than through PUBLIC or a group.
CREATE FUNCTION ims.holds_connect_here(grantee oid) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT EXISTS (SELECT 1 FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
                 WHERE d.datname = current_database() AND a.grantee = $1 AND a.privilege_type = 'CONNECT')
$$;
REVOKE EXECUTE ON FUNCTION ims.holds_connect_here(oid) FROM PUBLIC;

CREATE FUNCTION ims.admit_registered_users() RETURNS text[]
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  db constant text := format('%I', current_database());
  -- The owner's rights (superusers pass too) close the door to PUBLIC; the grant option admits users.
  can_close constant boolean := (SELECT pg_has_role(d.datdba, 'USAGE') FROM pg_database d WHERE d.datname = current_database());
  can_grant constant boolean := has_database_privilege(current_database(), 'CONNECT WITH GRANT OPTION');
  to_admit text;
  to_refuse text;
  missing text[] := '{}';
BEGIN
  -- Row-level security would hide users from the lists below, and closing the door then shut them out.
  IF row_security_active('ims.app_user') THEN
    RAISE EXCEPTION 'ims.admit_registered_users() must be run by the schema owner or a superuser, who see every user';
  END IF;
  FOR pass IN 1..2 LOOP
    -- Registered users who should hold CONNECT and do not; disabled ones who hold it.
    SELECT string_agg(format('%I', u.role_name), ', ' ORDER BY u.role_name) FILTER (WHERE u.disabled_at IS NULL AND NOT ims.holds_connect_here(r.oid)),
           string_agg(format('%I', u.role_name), ', ' ORDER BY u.role_name) FILTER (WHERE u.disabled_at IS NOT NULL AND ims.holds_connect_here(r.oid))
      INTO to_admit, to_refuse
      FROM ims.app_user u JOIN pg_roles r ON r.rolname = u.role_name;
    IF pass = 2 OR NOT can_grant THEN EXIT; END IF;
    -- Users first, so that closing the door never shuts out anyone registered.
    IF to_admit IS NOT NULL THEN EXECUTE format('GRANT CONNECT ON DATABASE %s TO %s', db, to_admit); END IF;
    -- Revokes only grants made by this role (or by the owner, for an owner): the second pass says if any is left.
    IF to_refuse IS NOT NULL THEN EXECUTE format('REVOKE CONNECT ON DATABASE %s FROM %s', db, to_refuse); END IF;
  END LOOP;
  IF can_close AND ims.holds_connect_here(0) THEN
    EXECUTE format('REVOKE CONNECT ON DATABASE %s FROM PUBLIC', db);
  END IF;

  IF to_admit IS NOT NULL THEN missing := missing || format('GRANT CONNECT ON DATABASE %s TO %s', db, to_admit); END IF;
  IF to_refuse IS NOT NULL THEN missing := missing || format('REVOKE CONNECT ON DATABASE %s FROM %s', db, to_refuse); END IF;
  IF ims.holds_connect_here(0) THEN missing := missing || format('REVOKE CONNECT ON DATABASE %s FROM PUBLIC', db); END IF;
  RETURN missing;
END
$$;
-- The owner's (and a DBA's) tool: it runs with the caller's own rights, and users have no use for it.
REVOKE EXECUTE ON FUNCTION ims.admit_registered_users() FROM PUBLIC;

DO $$
DECLARE
  missing text[] := ims.admit_registered_users();
BEGIN
  IF cardinality(missing) > 0 THEN
    RAISE WARNING 'Role % cannot decide who may connect to database % (it does not own it), so any login role on the server still can. '
      'A superuser or the database''s owner must run: %;', format('%I', current_user), format('%I', current_database()),
      array_to_string(missing, '; ')
      USING HINT = format('To let user administration keep this in step from now on, also run: GRANT CONNECT ON DATABASE %I TO %I WITH GRANT OPTION;',
                          current_database(), current_user);
  END IF;
END
$$;
