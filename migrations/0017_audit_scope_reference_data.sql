-- Changes to the data that defines who sees whom are audited like clinical data. A user's scope
-- is worked out from the organisation tree (parent_code), the practices, the local authorities
-- and the geography that places a person; moving one practice under another network widened a
-- coordinator's scope with no trace (attack review, issue 7, finding 4). The rest of the
-- reference data administrators maintain is attached too, so that every change an application
-- user can make leaves a row. The owner's declared bulk loads (geography imports, the demo)
-- still write one summary row per statement.
SELECT audit.attach(t)
FROM unnest(ARRAY[
  'ims.organisation', 'ims.gp_practice', 'ims.local_authority', 'ims.lsoa', 'ims.postcode_sector',
  'ims.postcode_lookup', 'ims.school', 'ims.ethnic_category', 'ims.flag_type', 'ims.antigen'
]::regclass[]) AS t;
