-- A preview of a child health or school message with a real person: api.letter_preview_data
-- (0035) with a null campaign answers what a message of no campaign knows of who sends it
-- (ims.letter_standing, 0078) beside the person, for child health staff and administrators (as
-- the standing templates themselves); the person is an audited read in the caller's scope, as before.
CREATE OR REPLACE FUNCTION api.letter_preview_data(p_campaign text, p_person_id bigint) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c ims.campaign := CASE WHEN p_campaign IS NULL THEN ims.sending_campaign(NULL) ELSE ims.campaign_for(p_campaign, false) END;
  v_booking bigint;
  v_recall bigint;
BEGIN
  IF NOT ims.audited_read(p_person_id, 'Letter and message preview') THEN
    RETURN NULL;
  END IF;
  IF p_campaign IS NULL THEN
    RETURN jsonb_build_object('campaign', ims.letter_standing(), 'person', ims.letter_person(p_person_id, NULL, NULL));
  END IF;
  SELECT b.id INTO v_booking FROM ims.booking b WHERE b.person_id = p_person_id AND b.campaign_id = c.id ORDER BY b.booked_for DESC, b.id DESC LIMIT 1;
  SELECT r.id INTO v_recall FROM ims.recall_entry r WHERE r.person_id = p_person_id AND r.campaign_id = c.id ORDER BY r.due_date DESC, r.id DESC LIMIT 1;
  RETURN jsonb_build_object('campaign', ims.letter_campaign(c.id), 'person', ims.letter_person(p_person_id, v_booking, v_recall));
END
$$;
