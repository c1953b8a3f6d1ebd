-- Child health and school messages counted: api.campaign_communication_counts (0036) with a null
-- campaign code counts the communications of no campaign (0078: overdue children, consent
-- requests and reminders) for the people in the caller's scope, so the screen that sends them
-- can say how many wait, went and failed. The same callers as the sender's (ims.sending_campaign
-- refuses anyone else): child health staff and administrators; a campaign's as before.
CREATE OR REPLACE FUNCTION api.campaign_communication_counts(p_code text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c ims.campaign := CASE WHEN p_code IS NULL THEN ims.sending_campaign(NULL) ELSE ims.campaign_for(p_code, false) END;
  -- A campaign's counts are its runners' whole; the others' only for the people in scope.
  v_all boolean := p_code IS NOT NULL OR NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
BEGIN
  RETURN coalesce((
    SELECT jsonb_agg(jsonb_build_object('channel', g.channel, 'status', g.status, 'deliveryStatus', g.delivery_status, 'count', g.n)
                     ORDER BY g.channel, g.status, g.delivery_status NULLS FIRST)
    FROM (SELECT m.channel, m.status, m.delivery_status, count(*) AS n
          FROM ims.communication m JOIN ims.person p ON p.id = m.person_id
          WHERE (CASE WHEN p_code IS NULL THEN m.campaign_id IS NULL ELSE m.campaign_id = c.id END)
            AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)))
          GROUP BY m.channel, m.status, m.delivery_status) g), '[]'::jsonb);
END
$$;
