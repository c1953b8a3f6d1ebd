-- Child health and school messages counted: api.campaign_communication_counts (0036) with a null
-- campaign code counts the communications of no campaign (0078: overdue children, consent
-- requests and reminders) for the people in the caller's scope, so the screen that sends them
-- can say how many wait, went and failed. The same callers as the sender's (ims.sending_campaign):
-- child health staff and administrators.
CREATE OR REPLACE FUNCTION api.campaign_communication_counts(p_code text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c ims.campaign;
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[];
  v_las text[];
BEGIN
  IF p_code IS NOT NULL THEN
    c := ims.campaign_for(p_code, false);
    RETURN coalesce((
      SELECT jsonb_agg(jsonb_build_object('channel', g.channel, 'status', g.status, 'deliveryStatus', g.delivery_status, 'count', g.n)
                       ORDER BY g.channel, g.status, g.delivery_status NULLS FIRST)
      FROM (SELECT m.channel, m.status, m.delivery_status, count(*) AS n FROM ims.communication m WHERE m.campaign_id = c.id
            GROUP BY m.channel, m.status, m.delivery_status) g), '[]'::jsonb);
  END IF;
  PERFORM ims.refuse_unless_standing_messages();
  v_practices := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
  RETURN coalesce((
    SELECT jsonb_agg(jsonb_build_object('channel', g.channel, 'status', g.status, 'deliveryStatus', g.delivery_status, 'count', g.n)
                     ORDER BY g.channel, g.status, g.delivery_status NULLS FIRST)
    FROM (SELECT m.channel, m.status, m.delivery_status, count(*) AS n
          FROM ims.communication m JOIN ims.person p ON p.id = m.person_id
          WHERE m.campaign_id IS NULL
            AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)))
          GROUP BY m.channel, m.status, m.delivery_status) g), '[]'::jsonb);
END
$$;
