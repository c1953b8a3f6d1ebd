-- Colleagues' names where their actions are shown (who viewed a record). ims.app_user stays
-- private to each user and administrators, because it also holds account status; this view
-- exposes only the login name and the display name, to every group.
CREATE VIEW ims.user_directory AS
  SELECT role_name, display_name FROM ims.app_user;
GRANT SELECT ON ims.user_directory TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
