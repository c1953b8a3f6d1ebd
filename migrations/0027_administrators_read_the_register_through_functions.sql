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
