-- Sending: the campaign's pending communications leave through GOV.UK Notify (email, text,
-- precompiled letter) or an organisation's own mail server (email), and come back with how
-- they fared. Codes and labels: main-api/shared/vocabulary/sending.ts.
--
-- What this adds:
--   * on a communication, who carried it (provider) and their id for it, the delivery status as
--     Notify names it, why it failed, the communication it falls back from, how often a sender
--     has picked it up and until when a sender holds it (a lease, so two senders never send the
--     same one and a sender that died lets go of it);
--   * on contact details, since when the address is known to be unreliable (a letter came back):
--     no letter is chosen for it, and the sender posts none to it;
--   * api functions for the sender: claim (set-based, FOR UPDATE SKIP LOCKED), record sent,
--     record a refusal (and fall back), let go, record a delivery status (from polling or a
--     callback; a permanent failure falls back to the next channel as a new communication, a
--     returned letter marks the address), what to poll, and counts per status for a campaign.
--
-- Who may: the sender's functions are the campaign runners' (coordinators and administrators,
-- and the owner for the command line and the callback receiver), within their scope, as in 0032.
-- Configuring sending (the keys live encrypted on the machine, not here) is for administrators.

-- ---------------------------------------------------------------------------------------
-- Columns.

ALTER TABLE ims.contact_details ADD COLUMN address_unreliable_since timestamptz;

ALTER TABLE ims.communication
  ADD COLUMN fallback_of     bigint REFERENCES ims.communication (id),
  ADD COLUMN provider        text CHECK (provider IN ('NOTIFY', 'SMTP')),
  ADD COLUMN provider_id     text CHECK (provider_id ~ '^[A-Za-z0-9@._<>:+-]{1,200}$'),
  ADD COLUMN delivery_status text CHECK (delivery_status IN (
    'created', 'sending', 'pending', 'sent', 'delivered', 'permanent-failure', 'temporary-failure', 'technical-failure',
    'accepted', 'received', 'cancelled', 'pending-virus-check', 'virus-scan-failed', 'validation-failed', 'returned-letter')),
  ADD COLUMN failure_reason  text CHECK (length(failure_reason) <= 300),
  ADD COLUMN attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  ADD COLUMN claimed_until   timestamptz;

-- One communication per thing it is about, as before, plus one fallback per failed
-- communication: a fallback repeats its original's keys, so the fallback is part of the key.
DROP INDEX ims.communication_once;
CREATE UNIQUE INDEX communication_once ON ims.communication (purpose, invitation_id, booking_id, recall_id, reminder_rule_id, fallback_of)
  NULLS NOT DISTINCT;
-- Statuses arrive by Notify's id (polling) and reference (callbacks; the reference is unique already).
CREATE UNIQUE INDEX communication_provider_id ON ims.communication (provider, provider_id) WHERE provider_id IS NOT NULL;
-- The sender reads a campaign's pending and in-flight rows.
CREATE INDEX communication_to_send ON ims.communication (campaign_id, id) WHERE status = 'PENDING';
CREATE INDEX communication_to_poll ON ims.communication (campaign_id, id) WHERE status = 'SENT' AND provider = 'NOTIFY'
  AND (delivery_status IS NULL OR delivery_status IN ('created', 'sending', 'pending', 'sent', 'accepted', 'pending-virus-check'));

-- ---------------------------------------------------------------------------------------
-- The 0032 and 0034 functions that insert with ON CONFLICT on communication_once name its
-- columns; the index has one more now. Otherwise unchanged, except that an address known to be
-- unreliable is not usable for a letter.

CREATE OR REPLACE FUNCTION api.campaign_reminders_run(p_code text, p_today date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
  v_campaigns bigint[];
  v_n integer;
BEGIN
  IF p_today IS NULL THEN
    PERFORM ims.refuse_bad_request('Reminders need today''s date.');
  END IF;
  v_campaigns := ims.campaigns_to_run(p_code);
  PERFORM set_config('ims.campaign_audit_note', 'reminders run', true);
  INSERT INTO ims.communication (person_id, campaign_id, invitation_id, reminder_rule_id, purpose, channel, template_name, template_version)
  SELECT i.person_id, i.campaign_id, i.id, r.id, 'REMINDER', ch.channel, t.template_name, t.template_version
  FROM ims.campaign_reminder_rule r
  JOIN ims.campaign k ON k.id = r.campaign_id
  JOIN ims.invitation i ON i.campaign_id = r.campaign_id
  JOIN ims.communication inv ON inv.invitation_id = i.id AND inv.purpose = 'INVITATION' AND inv.status = 'SENT' AND inv.fallback_of IS NULL
  JOIN ims.person p ON p.id = i.person_id
  LEFT JOIN ims.contact_details d ON d.person_id = i.person_id
  CROSS JOIN LATERAL (SELECT coalesce(ims.campaign_channel(ARRAY[r.channel], r.channel, d.mobile, d.email,
                                                           CASE WHEN d.address_unreliable_since IS NULL THEN d.address_line1 END, p.postcode,
                                                           d.opt_out_letter, d.opt_out_email, d.opt_out_sms), i.channel) AS channel) ch
  LEFT JOIN ims.campaign_template t ON t.campaign_id = k.id AND t.purpose = 'REMINDER' AND t.channel = ch.channel
  WHERE r.campaign_id = ANY (v_campaigns) AND r.active
    AND (inv.sent_at AT TIME ZONE 'Europe/London')::date + r.days_after_invitation <= p_today
    AND p.date_of_death IS NULL
    AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)))
    AND NOT EXISTS (SELECT 1 FROM ims.booking b WHERE b.person_id = i.person_id AND b.campaign_id = i.campaign_id
                    AND b.status IN ('BOOKED', 'ATTENDED'))
    AND NOT EXISTS (SELECT 1 FROM ims.vaccination_event e WHERE e.person_id = i.person_id AND e.programme_code = k.programme_code
                    AND e.status = 'ACTIVE' AND e.outcome = 'GIVEN')
    AND NOT EXISTS (SELECT 1 FROM ims.campaign_reminder_rule r2
                    WHERE r2.campaign_id = r.campaign_id AND r2.active AND r2.days_after_invitation > r.days_after_invitation
                      AND (inv.sent_at AT TIME ZONE 'Europe/London')::date + r2.days_after_invitation <= p_today)
    AND NOT EXISTS (SELECT 1 FROM ims.communication x JOIN ims.campaign_reminder_rule xr ON xr.id = x.reminder_rule_id
                    WHERE x.invitation_id = i.id AND x.purpose = 'REMINDER' AND xr.days_after_invitation > r.days_after_invitation)
  ORDER BY i.id, r.days_after_invitation
  ON CONFLICT (purpose, invitation_id, booking_id, recall_id, reminder_rule_id, fallback_of) DO NOTHING;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  PERFORM set_config('ims.campaign_audit_note', '', true);
  RETURN v_n;
END
$$;

CREATE OR REPLACE FUNCTION ims.campaign_dna_followups(p_booking_ids bigint[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_n integer;
BEGIN
  INSERT INTO ims.communication (person_id, campaign_id, booking_id, purpose, channel, template_name, template_version)
  SELECT b.person_id, b.campaign_id, b.id, 'DID_NOT_ATTEND', ch.channel, t.template_name, t.template_version
  FROM ims.booking b JOIN ims.campaign k ON k.id = b.campaign_id JOIN ims.person p ON p.id = b.person_id
  LEFT JOIN ims.contact_details d ON d.person_id = b.person_id
  CROSS JOIN LATERAL (SELECT ims.campaign_channel(k.channels, d.preferred_channel, d.mobile, d.email,
                                                  CASE WHEN d.address_unreliable_since IS NULL THEN d.address_line1 END, p.postcode,
                                                  d.opt_out_letter, d.opt_out_email, d.opt_out_sms) AS channel) ch
  LEFT JOIN ims.campaign_template t ON t.campaign_id = k.id AND t.purpose = 'DID_NOT_ATTEND' AND t.channel = ch.channel
  WHERE b.id = ANY (p_booking_ids) AND b.status = 'DID_NOT_ATTEND' AND ch.channel IS NOT NULL
  ORDER BY b.id
  ON CONFLICT (purpose, invitation_id, booking_id, recall_id, reminder_rule_id, fallback_of) DO NOTHING;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  RETURN v_n;
END
$$;

-- The preview, the confirmation and recall choose each person's channel as in 0032, except that
-- an address known to be unreliable (a letter to it came back) is not usable for a letter.
-- Otherwise unchanged.

CREATE OR REPLACE FUNCTION api.invitation_batch_preview(p_batch_id bigint) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
-- The cohort function is planned as 1,000 rows; for a cohort of 200,000 that picks a nested loop
-- of index probes per person, where hash joins over the register take a fraction of the time.
SET enable_nestloop = off SET work_mem = '64MB' AS $$
DECLARE
  b ims.invitation_batch := ims.invitation_batch_for(p_batch_id, false);
  c ims.campaign := (SELECT k FROM ims.campaign k WHERE k.id = b.campaign_id);
  v jsonb;
BEGIN
  PERFORM ims.cohort_check_definition(b.definition);
  WITH members AS (
    SELECT m.person_id, i.id IS NOT NULL AS already,
           ims.campaign_channel(c.channels, d.preferred_channel, d.mobile, d.email, CASE WHEN d.address_unreliable_since IS NULL THEN d.address_line1 END, p.postcode,
                                d.opt_out_letter, d.opt_out_email, d.opt_out_sms) AS channel
    FROM ims.cohort_member_ids(b.definition) m
    JOIN ims.person p ON p.id = m.person_id
    LEFT JOIN ims.contact_details d ON d.person_id = m.person_id
    -- At most one: (campaign, person) is unique. A join, so it is hashed rather than probed per person.
    LEFT JOIN ims.invitation i ON i.campaign_id = c.id AND i.person_id = m.person_id
  )
  SELECT jsonb_build_object(
    'batchId', b.id, 'campaignCode', c.code, 'cohortName', b.definition->>'name', 'status', b.status, 'members', count(*),
    'alreadyInvited', count(*) FILTER (WHERE already),
    'noUsableChannel', count(*) FILTER (WHERE NOT already AND channel IS NULL),
    'toInvite', count(*) FILTER (WHERE NOT already AND channel IS NOT NULL),
    'byChannel', jsonb_build_object(
      'LETTER', count(*) FILTER (WHERE NOT already AND channel = 'LETTER'),
      'EMAIL', count(*) FILTER (WHERE NOT already AND channel = 'EMAIL'),
      'SMS', count(*) FILTER (WHERE NOT already AND channel = 'SMS')))
  INTO v FROM members;
  RETURN v;
END
$$;

CREATE OR REPLACE FUNCTION api.invitation_batch_confirm(p_batch_id bigint, p_mode text, p_cap integer, p_start date, p_lead_days integer,
                                             p_priority text, p_practice_order text[])
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
-- The cohort function is planned as 1,000 rows; for a cohort of 200,000 that picks a nested loop
-- of index probes per person, where hash joins over the register take a fraction of the time.
SET enable_nestloop = off SET work_mem = '64MB' AS $$
DECLARE
  b ims.invitation_batch := ims.invitation_batch_for(p_batch_id, true);
  c ims.campaign := (SELECT k FROM ims.campaign k WHERE k.id = b.campaign_id);
  v_step integer := CASE p_mode WHEN 'per-day' THEN 1 WHEN 'per-week' THEN 7 END;
  v_lead integer := coalesce(p_lead_days, 0);
  v_days date[];
  v_lows bigint[];
  v_total bigint;
  v_result jsonb;
BEGIN
  IF b.status = 'CONFIRMED' THEN
    RETURN b.result || jsonb_build_object('repeated', true);
  END IF;
  IF p_mode IS NULL OR p_mode NOT IN ('per-day', 'per-week', 'clinic') OR p_start IS NULL
     OR (p_mode <> 'clinic' AND (p_cap IS NULL OR p_cap NOT BETWEEN 1 AND 1000000))
     OR v_lead NOT BETWEEN 0 AND 60
     OR p_priority IS NULL OR p_priority NOT IN ('oldest', 'most-deprived', 'practice-order')
     OR cardinality(p_practice_order) > 2000 THEN
    PERFORM ims.refuse_bad_request('Release per day, per week (with a cap of 1 to 1,000,000) or sized to clinics (0 to 60 days ahead), oldest, most deprived or in practice order first.');
  END IF;
  PERFORM ims.cohort_check_definition(b.definition);
  IF p_mode = 'clinic' THEN
    -- The clinic days, and the rank each day's wave starts at (binary-searched with width_bucket).
    SELECT array_agg(d.day ORDER BY d.day), array_agg(d.low ORDER BY d.day), max(d.high)
    INTO v_days, v_lows, v_total
    FROM (SELECT s.session_date AS day, (sum(sum(s.slots)) OVER (ORDER BY s.session_date) - sum(s.slots) + 1)::bigint AS low,
                 (sum(sum(s.slots)) OVER (ORDER BY s.session_date))::bigint AS high
          FROM ims.clinic_session s JOIN ims.clinic l ON l.id = s.clinic_id
          WHERE l.campaign_id = c.id AND s.session_date >= p_start + v_lead
          GROUP BY s.session_date) d;
    IF v_days IS NULL THEN
      PERFORM ims.refuse_bad_request('The campaign has no clinic sessions to size waves to from that date.');
    END IF;
  END IF;
  PERFORM set_config('ims.campaign_audit_note', format('invitation batch %s confirmed', b.id), true);

  WITH members AS (
    SELECT m.person_id FROM ims.cohort_member_ids(b.definition) m
  ), classified AS (
    SELECT p.id AS person_id, p.date_of_birth, p.imd_decile, p.practice_code, i.id IS NOT NULL AS already,
           ims.campaign_channel(c.channels, d.preferred_channel, d.mobile, d.email, CASE WHEN d.address_unreliable_since IS NULL THEN d.address_line1 END, p.postcode,
                                d.opt_out_letter, d.opt_out_email, d.opt_out_sms) AS channel
    FROM members m
    JOIN ims.person p ON p.id = m.person_id
    LEFT JOIN ims.contact_details d ON d.person_id = m.person_id
    LEFT JOIN ims.invitation i ON i.campaign_id = c.id AND i.person_id = m.person_id
  ), ranked AS (
    SELECT x.person_id, x.channel,
           row_number() OVER (ORDER BY
             CASE WHEN p_priority = 'most-deprived' THEN x.imd_decile END ASC NULLS LAST,
             CASE WHEN p_priority = 'practice-order' THEN array_position(p_practice_order, x.practice_code) END ASC NULLS LAST,
             x.date_of_birth, x.person_id) AS rk
    FROM classified x WHERE NOT x.already AND x.channel IS NOT NULL
  ), placed AS (
    SELECT r.person_id, r.channel,
           CASE WHEN p_mode = 'clinic' THEN CASE WHEN r.rk <= v_total THEN width_bucket(r.rk, v_lows) END
                ELSE ((r.rk - 1) / p_cap + 1)::integer END AS wave
    FROM ranked r
  ), ins AS (
    INSERT INTO ims.invitation (campaign_id, person_id, batch_id, wave, planned_release_on, channel)
    SELECT c.id, x.person_id, b.id, x.wave,
           CASE WHEN p_mode = 'clinic' THEN v_days[x.wave] - v_lead ELSE p_start + (x.wave - 1) * v_step END, x.channel
    FROM placed x WHERE x.wave IS NOT NULL
    ORDER BY x.person_id
    ON CONFLICT (campaign_id, person_id) DO NOTHING
    RETURNING id, person_id, wave, planned_release_on, channel
  ), waves AS (
    SELECT i.wave, min(i.planned_release_on) AS release_on, count(*) AS people FROM ins i GROUP BY i.wave
  )
  SELECT jsonb_build_object(
    'batchId', b.id,
    'members', (SELECT count(*) FROM classified),
    'alreadyInvited', (SELECT count(*) FROM classified WHERE already)
                      + (SELECT count(*) FROM placed WHERE wave IS NOT NULL) - (SELECT count(*) FROM ins),
    'noUsableChannel', (SELECT count(*) FROM classified WHERE NOT already AND channel IS NULL),
    'leftOver', (SELECT count(*) FROM placed WHERE wave IS NULL),
    'invited', (SELECT count(*) FROM ins),
    'waves', coalesce((SELECT jsonb_agg(jsonb_build_object('wave', w.wave, 'releaseOn', w.release_on, 'people', w.people) ORDER BY w.wave)
                       FROM waves w), '[]'::jsonb),
    'repeated', false)
  INTO v_result;

  UPDATE ims.invitation_batch x SET status = 'CONFIRMED', result = v_result, confirmed_by = session_user, confirmed_at = now(),
    plan = jsonb_build_object('mode', p_mode, 'cap', p_cap, 'start', p_start, 'leadDays', v_lead, 'priority', p_priority,
                              'practiceOrder', to_jsonb(p_practice_order))
  WHERE x.id = b.id;
  PERFORM set_config('ims.campaign_audit_note', '', true);
  RETURN v_result;
END
$$;

-- Releasing a wave (0034) the same way: the index's columns, and no letter to an unreliable address.
CREATE OR REPLACE FUNCTION api.campaign_release(p_code text, p_up_to date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
  v_campaigns bigint[];
  v_n integer;
BEGIN
  IF p_up_to IS NULL THEN
    PERFORM ims.refuse_bad_request('Releasing waves needs the day to release them up to.');
  END IF;
  v_campaigns := ims.campaigns_to_run(p_code);
  PERFORM set_config('ims.campaign_audit_note', 'waves released', true);
  INSERT INTO ims.communication (person_id, campaign_id, invitation_id, purpose, channel, template_name, template_version)
  SELECT i.person_id, i.campaign_id, i.id, 'INVITATION', ch.channel, t.template_name, t.template_version
  FROM ims.invitation i
  JOIN ims.campaign k ON k.id = i.campaign_id
  JOIN ims.person p ON p.id = i.person_id
  LEFT JOIN ims.contact_details d ON d.person_id = i.person_id
  CROSS JOIN LATERAL (SELECT ims.campaign_channel(k.channels, d.preferred_channel, d.mobile, d.email, CASE WHEN d.address_unreliable_since IS NULL THEN d.address_line1 END, p.postcode,
                                                  d.opt_out_letter, d.opt_out_email, d.opt_out_sms) AS channel) ch
  LEFT JOIN ims.campaign_template t ON t.campaign_id = k.id AND t.purpose = 'INVITATION' AND t.channel = ch.channel
  WHERE i.campaign_id = ANY (v_campaigns) AND i.planned_release_on <= p_up_to
    AND ch.channel IS NOT NULL
    AND p.date_of_death IS NULL
    AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)))
    AND NOT EXISTS (SELECT 1 FROM ims.communication m WHERE m.purpose = 'INVITATION' AND m.invitation_id = i.id)
    AND NOT EXISTS (SELECT 1 FROM ims.booking b WHERE b.person_id = i.person_id AND b.campaign_id = i.campaign_id
                    AND b.status IN ('BOOKED', 'ATTENDED'))
    AND NOT EXISTS (SELECT 1 FROM ims.vaccination_event e WHERE e.person_id = i.person_id AND e.programme_code = k.programme_code
                    AND e.status = 'ACTIVE' AND e.outcome = 'GIVEN')
  ORDER BY i.id
  ON CONFLICT (purpose, invitation_id, booking_id, recall_id, reminder_rule_id, fallback_of) DO NOTHING;
  GET DIAGNOSTICS v_n = ROW_COUNT;
  PERFORM set_config('ims.campaign_audit_note', '', true);
  RETURN v_n;
END
$$;

CREATE OR REPLACE FUNCTION api.campaign_recall_run(p_code text, p_today date) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c ims.campaign := ims.campaign_for(p_code, true);
  v_series text[] := CASE WHEN cardinality(c.recall_series) > 0 THEN c.recall_series ELSE ARRAY[c.programme_code] END;
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
  v_n integer;
BEGIN
  IF p_today IS NULL THEN
    PERFORM ims.refuse_bad_request('Recall needs today''s date.');
  END IF;
  PERFORM set_config('ims.campaign_audit_note', 'recall run', true);
  WITH entered AS (
    INSERT INTO ims.recall_entry (campaign_id, person_id, series_id, dose, due_date)
    SELECT c.id, s.person_id, s.series_id, s.next_dose, s.due_date
    FROM ims.series_status s JOIN ims.person p ON p.id = s.person_id
    WHERE s.series_id = ANY (v_series) AND s.status IN ('DUE', 'OVERDUE') AND s.next_dose > 1
      AND s.due_date IS NOT NULL AND s.due_date <= p_today AND p.date_of_death IS NULL
      AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)))
    ORDER BY s.person_id
    ON CONFLICT (campaign_id, person_id, series_id, dose) DO NOTHING
    RETURNING id, person_id
  ), sent AS (
    INSERT INTO ims.communication (person_id, campaign_id, recall_id, purpose, channel, template_name, template_version)
    SELECT e.person_id, c.id, e.id, 'RECALL', ch.channel, t.template_name, t.template_version
    FROM entered e JOIN ims.person p ON p.id = e.person_id
    LEFT JOIN ims.contact_details d ON d.person_id = e.person_id
    CROSS JOIN LATERAL (SELECT ims.campaign_channel(c.channels, d.preferred_channel, d.mobile, d.email, CASE WHEN d.address_unreliable_since IS NULL THEN d.address_line1 END, p.postcode,
                                                    d.opt_out_letter, d.opt_out_email, d.opt_out_sms) AS channel) ch
    LEFT JOIN ims.campaign_template t ON t.campaign_id = c.id AND t.purpose = 'RECALL' AND t.channel = ch.channel
    WHERE ch.channel IS NOT NULL
    RETURNING 1
  )
  SELECT count(*) INTO v_n FROM entered;
  PERFORM set_config('ims.campaign_audit_note', '', true);
  RETURN v_n;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Checks shared by the sender's functions.

-- The communication, locked, if the caller runs its campaign and may reach its person;
-- otherwise one message for absent and out of scope alike.
CREATE FUNCTION ims.communication_for(p_id bigint) RETURNS ims.communication
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m ims.communication;
  v_org text;
BEGIN
  IF NOT ims.may_run_campaigns() THEN
    RAISE EXCEPTION 'Your role may not send campaign messages.' USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT * INTO m FROM ims.communication x WHERE x.id = p_id FOR UPDATE;
  SELECT k.organisation_code INTO v_org FROM ims.campaign k WHERE k.id = m.campaign_id;
  IF m.id IS NULL OR NOT ims.campaign_visible(v_org, true)
     OR (ims.is_application_user() AND NOT ims.person_in_scope(m.person_id)) THEN
    RAISE EXCEPTION 'No message % is available to you.', p_id USING ERRCODE = 'no_data_found';
  END IF;
  RETURN m;
END
$$;

-- After a communication failed for good: a new pending communication by the next channel in the
-- order text, email, letter that the campaign uses and the person can be reached by (contact
-- details present, not opted out of, an address not known to be unreliable), with the
-- campaign's template for it. Answers its id, or null when there is no next channel (or the
-- fallback exists already: once per failed communication).
CREATE FUNCTION ims.communication_fall_back(p_id bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_id bigint;
BEGIN
  INSERT INTO ims.communication (person_id, campaign_id, invitation_id, reminder_rule_id, booking_id, recall_id, purpose, channel,
                                 template_name, template_version, fallback_of)
  SELECT m.person_id, m.campaign_id, m.invitation_id, m.reminder_rule_id, m.booking_id, m.recall_id, m.purpose, nx.channel,
         t.template_name, t.template_version, m.id
  FROM ims.communication m
  JOIN ims.campaign k ON k.id = m.campaign_id
  JOIN ims.person p ON p.id = m.person_id
  LEFT JOIN ims.contact_details d ON d.person_id = m.person_id
  CROSS JOIN LATERAL (
    SELECT o.channel FROM (VALUES (1, 'SMS'), (2, 'EMAIL'), (3, 'LETTER')) AS o (rank, channel)
    WHERE o.rank > CASE m.channel WHEN 'SMS' THEN 1 WHEN 'EMAIL' THEN 2 ELSE 3 END
      AND o.channel = ANY (k.channels)
      AND ims.campaign_channel(ARRAY[o.channel], o.channel, d.mobile, d.email,
                               CASE WHEN d.address_unreliable_since IS NULL THEN d.address_line1 END, p.postcode,
                               d.opt_out_letter, d.opt_out_email, d.opt_out_sms) IS NOT NULL
    ORDER BY o.rank LIMIT 1) nx
  LEFT JOIN ims.campaign_template t ON t.campaign_id = k.id AND t.purpose = m.purpose AND t.channel = nx.channel
  WHERE m.id = p_id AND p.date_of_death IS NULL
  ON CONFLICT (purpose, invitation_id, booking_id, recall_id, reminder_rule_id, fallback_of) DO NOTHING
  RETURNING id INTO v_id;
  RETURN v_id;
END
$$;

REVOKE EXECUTE ON FUNCTION ims.communication_for(bigint), ims.communication_fall_back(bigint) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------
-- The sender's functions.

-- Claims up to p_limit pending communications of the campaign by these channels for this sender for p_lease_seconds:
-- rows another sender is claiming right now are skipped (SKIP LOCKED) and rows another sender
-- holds (an unexpired lease) are left alone, so two senders never take the same one. Invitations
-- are taken once their planned release day (p_today, England's date) has come. A letter to an
-- address known to be unreliable is not posted: it fails here with the reason. Answers what a
-- message needs; attempts above 1 means a sender took it before and neither recorded nor let go
-- of it, so it may have been sent (look it up by its reference before sending again). Reading the contact details is audited per person.
CREATE FUNCTION api.communication_claim(p_code text, p_channels text[], p_limit integer, p_lease_seconds integer, p_today date)
RETURNS TABLE (communication_id bigint, reference uuid, purpose text, channel text, template_name text, template_version integer,
               attempts integer, person_id bigint, nhs_number text, given_name text, family_name text, email text, mobile text,
               address_line1 text, address_line2 text, address_line3 text, town text, postcode text, campaign_name text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c ims.campaign := ims.campaign_for(p_code, true);
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
BEGIN
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 10000 OR p_lease_seconds IS NULL OR p_lease_seconds NOT BETWEEN 5 AND 86400
     OR p_today IS NULL OR p_channels IS NULL OR NOT p_channels <@ ARRAY['LETTER', 'EMAIL', 'SMS'] THEN
    PERFORM ims.refuse_bad_request('Claim 1 to 10,000 messages by known channels for 5 seconds to a day, with today''s date.');
  END IF;
  UPDATE ims.communication m
  SET status = 'FAILED', status_at = now(), claimed_until = NULL,
      failure_reason = 'The address is marked unreliable (a letter to it came back); no letter was posted.'
  FROM ims.contact_details d, ims.person p
  WHERE m.campaign_id = c.id AND m.status = 'PENDING' AND m.channel = 'LETTER' AND 'LETTER' = ANY (p_channels)
    AND d.person_id = m.person_id AND d.address_unreliable_since IS NOT NULL AND p.id = m.person_id
    AND (m.claimed_until IS NULL OR m.claimed_until < now())
    AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)));
  RETURN QUERY
  WITH picked AS (
    SELECT m.id FROM ims.communication m
    JOIN ims.person p ON p.id = m.person_id
    LEFT JOIN ims.invitation i ON i.id = m.invitation_id
    WHERE m.campaign_id = c.id AND m.status = 'PENDING' AND m.channel = ANY (p_channels)
      AND (m.claimed_until IS NULL OR m.claimed_until < now())
      AND (m.purpose <> 'INVITATION' OR i.planned_release_on <= p_today)
      AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)))
    ORDER BY m.id
    LIMIT p_limit
    FOR UPDATE OF m SKIP LOCKED
  ), claimed AS (
    UPDATE ims.communication m SET claimed_until = now() + make_interval(secs => p_lease_seconds), attempts = m.attempts + 1
    FROM picked WHERE m.id = picked.id
    RETURNING m.id, m.reference, m.purpose, m.channel, m.template_name, m.template_version, m.attempts, m.person_id
  ), viewed AS (
    INSERT INTO audit.record_view (person_id, purpose)
    SELECT DISTINCT x.person_id, 'Campaign message sent' FROM claimed x WHERE ims.is_application_user()
    RETURNING 1
  )
  SELECT x.id, x.reference, x.purpose, x.channel, x.template_name, x.template_version, x.attempts, x.person_id, p.nhs_number,
         p.given_name, p.family_name, d.email, d.mobile, d.address_line1, d.address_line2, d.address_line3, d.town, p.postcode, c.name
  FROM claimed x JOIN ims.person p ON p.id = x.person_id
  LEFT JOIN ims.contact_details d ON d.person_id = x.person_id
  ORDER BY x.id;
END
$$;

-- The provider took the message: SENT, with the provider's id for it. A communication already
-- recorded (by another path, or twice) is left as it is. Answers whether this call recorded it.
CREATE FUNCTION api.communication_sent(p_id bigint, p_provider text, p_provider_id text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m ims.communication := ims.communication_for(p_id);
BEGIN
  IF p_provider IS NULL OR p_provider NOT IN ('NOTIFY', 'SMTP') OR p_provider_id IS NULL THEN
    PERFORM ims.refuse_bad_request('A sent message needs its provider and the provider''s id for it.');
  END IF;
  IF m.status <> 'PENDING' THEN
    RETURN false;
  END IF;
  UPDATE ims.communication x
  SET status = 'SENT', sent_at = now(), status_at = now(), provider = p_provider, provider_id = p_provider_id,
      delivery_status = CASE WHEN p_provider = 'NOTIFY' THEN 'created' END, claimed_until = NULL, failure_reason = NULL
  WHERE x.id = p_id;
  RETURN true;
END
$$;

-- The provider refused the message for good (an invalid number or address, a template it does
-- not have): FAILED with the reason, and the fallback by the next channel. Answers the fallback's
-- id (null when none).
CREATE FUNCTION api.communication_refused(p_id bigint, p_reason text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m ims.communication := ims.communication_for(p_id);
BEGIN
  IF m.status <> 'PENDING' THEN
    RETURN NULL;
  END IF;
  UPDATE ims.communication x SET status = 'FAILED', status_at = now(), claimed_until = NULL, failure_reason = left(p_reason, 300)
  WHERE x.id = p_id;
  RETURN ims.communication_fall_back(p_id);
END
$$;

-- The sender lets go of a claimed message it could not send now (the provider unavailable,
-- no letter file yet, the run cancelled): it stays PENDING, with the reason noted, and no sender
-- takes it again for p_retry_after_seconds (0: at once). The claim is taken back (attempts goes
-- down again), so attempts above 1 at a claim means an earlier sender neither recorded nor let go
-- of it: it may have been sent.
CREATE FUNCTION api.communication_release(p_id bigint, p_reason text, p_retry_after_seconds integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m ims.communication := ims.communication_for(p_id);
BEGIN
  IF p_retry_after_seconds IS NULL OR p_retry_after_seconds NOT BETWEEN 0 AND 86400 THEN
    PERFORM ims.refuse_bad_request('Retry after 0 seconds to a day.');
  END IF;
  IF m.status = 'PENDING' THEN
    UPDATE ims.communication x
    SET claimed_until = CASE WHEN p_retry_after_seconds > 0 THEN now() + make_interval(secs => p_retry_after_seconds) END,
        failure_reason = left(p_reason, 300), attempts = greatest(x.attempts - 1, 0)
    WHERE x.id = p_id;
  END IF;
END
$$;

-- A delivery status from the provider (polling or a callback), found by our reference (or the
-- provider's id when no reference is given). Statuses that are not final only move a
-- communication forward; a final one is kept. Failures make it FAILED, a permanent failure (or a
-- letter refused by validation) falls back to the next channel, a returned letter makes it
-- RETURNED and marks the person's address unreliable. Answers what happened
-- ({communicationId, status, deliveryStatus, fallbackId, changed}) or null for a reference we do
-- not know (a callback for another system's message).
CREATE FUNCTION api.communication_delivery(p_reference uuid, p_provider_id text, p_status text, p_reason text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_id bigint;
  m ims.communication;
  v_final text[] := ARRAY['delivered', 'permanent-failure', 'temporary-failure', 'technical-failure', 'cancelled', 'virus-scan-failed',
                          'validation-failed', 'returned-letter'];
  v_status text;
  v_fallback bigint;
BEGIN
  IF p_status IS NULL OR p_status NOT IN ('created', 'sending', 'pending', 'sent', 'delivered', 'permanent-failure', 'temporary-failure',
       'technical-failure', 'accepted', 'received', 'cancelled', 'pending-virus-check', 'virus-scan-failed', 'validation-failed',
       'returned-letter') THEN
    PERFORM ims.refuse_bad_request('Not a delivery status: ' || left(coalesce(p_status, 'none'), 40));
  END IF;
  -- Two statements rather than one with OR, so each is one probe of its unique index.
  IF p_reference IS NOT NULL THEN
    SELECT x.id INTO v_id FROM ims.communication x WHERE x.reference = p_reference;
  ELSE
    SELECT x.id INTO v_id FROM ims.communication x WHERE x.provider = 'NOTIFY' AND x.provider_id = p_provider_id;
  END IF;
  IF v_id IS NULL THEN
    RETURN NULL;
  END IF;
  m := ims.communication_for(v_id);
  IF m.status = 'PENDING' OR m.provider IS DISTINCT FROM 'NOTIFY' OR (p_provider_id IS NOT NULL AND m.provider_id <> p_provider_id)
     OR (m.delivery_status = ANY (v_final) AND NOT (p_status = 'returned-letter' AND m.delivery_status <> 'returned-letter'))
     OR m.delivery_status = p_status THEN
    RETURN jsonb_build_object('communicationId', m.id, 'status', m.status, 'deliveryStatus', m.delivery_status, 'fallbackId', NULL,
                              'changed', false);
  END IF;
  v_status := CASE
    WHEN p_status = 'returned-letter' THEN 'RETURNED'
    WHEN p_status IN ('permanent-failure', 'temporary-failure', 'technical-failure', 'cancelled', 'virus-scan-failed', 'validation-failed')
      THEN 'FAILED'
    ELSE 'SENT' END;
  UPDATE ims.communication x
  SET delivery_status = p_status, status = v_status, status_at = now(),
      failure_reason = CASE WHEN v_status = 'SENT' THEN x.failure_reason ELSE left(coalesce(p_reason, p_status), 300) END
  WHERE x.id = m.id;
  IF p_status = 'returned-letter' THEN
    UPDATE ims.contact_details d SET address_unreliable_since = now(), updated_at = now()
    WHERE d.person_id = m.person_id AND d.address_unreliable_since IS NULL;
  ELSIF p_status IN ('permanent-failure', 'validation-failed') THEN
    v_fallback := ims.communication_fall_back(m.id);
  END IF;
  RETURN jsonb_build_object('communicationId', m.id, 'status', v_status, 'deliveryStatus', p_status, 'fallbackId', v_fallback,
                            'changed', true);
END
$$;

-- Notify's messages of the campaign whose delivery is not settled yet, oldest first: what a
-- status poll asks about.
CREATE FUNCTION api.communications_to_poll(p_code text, p_limit integer)
RETURNS TABLE (communication_id bigint, reference uuid, provider_id text, channel text, delivery_status text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c ims.campaign := ims.campaign_for(p_code, true);
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
BEGIN
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 10000 THEN
    PERFORM ims.refuse_bad_request('Poll 1 to 10,000 messages at a time.');
  END IF;
  RETURN QUERY
  SELECT m.id, m.reference, m.provider_id, m.channel, m.delivery_status
  FROM ims.communication m JOIN ims.person p ON p.id = m.person_id
  WHERE m.campaign_id = c.id AND m.status = 'SENT' AND m.provider = 'NOTIFY'
    AND (m.delivery_status IS NULL OR m.delivery_status IN ('created', 'sending', 'pending', 'sent', 'accepted', 'pending-virus-check'))
    AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)))
  ORDER BY m.id
  LIMIT p_limit;
END
$$;

-- How a campaign's communications stand: a count per channel, status and delivery status
-- (aggregates, no person; for anyone who sees the campaign). Contract: CommunicationCounts.
CREATE FUNCTION api.campaign_communication_counts(p_code text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c ims.campaign := ims.campaign_for(p_code, false);
BEGIN
  RETURN coalesce((
    SELECT jsonb_agg(jsonb_build_object('channel', g.channel, 'status', g.status, 'deliveryStatus', g.delivery_status, 'count', g.n)
                     ORDER BY g.channel, g.status, g.delivery_status NULLS FIRST)
    FROM (SELECT m.channel, m.status, m.delivery_status, count(*) AS n FROM ims.communication m WHERE m.campaign_id = c.id
          GROUP BY m.channel, m.status, m.delivery_status) g), '[]'::jsonb);
END
$$;

-- May the caller change how this installation sends (keys, template ids, mail server)? The
-- settings are kept encrypted on the machine; the database decides who may change them.
CREATE FUNCTION api.sending_settings_check() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF ims.is_application_user() AND NOT (ims.is_registered_user() AND ims.is_admin()) THEN
    RAISE EXCEPTION 'Only administrators may change how messages are sent.' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN true;
END
$$;

-- A person's campaign record as in 0032, and for each communication how it was delivered, why
-- it failed and what it falls back from; and whether the person's address is known to be
-- unreliable.
CREATE OR REPLACE FUNCTION api.person_campaign_record(p_person_id bigint, p_purpose text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.audited_read(p_person_id, p_purpose) THEN
    RETURN NULL;
  END IF;
  RETURN jsonb_build_object(
    'personId', p_person_id,
    'addressUnreliableSince', (SELECT d.address_unreliable_since FROM ims.contact_details d WHERE d.person_id = p_person_id),
    'invitations', coalesce((SELECT jsonb_agg(jsonb_build_object('id', i.id, 'campaignCode', k.code, 'campaignName', k.name, 'batchId', i.batch_id,
                                     'wave', i.wave, 'plannedReleaseOn', i.planned_release_on, 'channel', i.channel, 'invitedBy', i.invited_by,
                                     'invitedAt', i.invited_at) ORDER BY i.invited_at DESC, i.id DESC)
                             FROM ims.invitation i JOIN ims.campaign k ON k.id = i.campaign_id WHERE i.person_id = p_person_id), '[]'),
    'communications', coalesce((SELECT jsonb_agg(jsonb_build_object('id', m.id, 'campaignCode', k.code, 'purpose', m.purpose, 'channel', m.channel,
                                     'templateName', m.template_name, 'templateVersion', m.template_version, 'status', m.status,
                                     'reference', m.reference, 'createdAt', m.created_at, 'sentAt', m.sent_at,
                                     'deliveryStatus', m.delivery_status, 'statusAt', m.status_at, 'failureReason', m.failure_reason,
                                     'fallbackOf', m.fallback_of, 'provider', m.provider) ORDER BY m.created_at DESC, m.id DESC)
                                FROM ims.communication m JOIN ims.campaign k ON k.id = m.campaign_id WHERE m.person_id = p_person_id), '[]'),
    'bookings', coalesce((SELECT jsonb_agg(jsonb_build_object('id', b.id, 'campaignCode', k.code, 'bookedFor', b.booked_for, 'status', b.status,
                                     'source', b.source, 'externalReference', b.external_reference, 'clinicSessionId', b.clinic_session_id)
                                     ORDER BY b.booked_for DESC, b.id DESC)
                          FROM ims.booking b JOIN ims.campaign k ON k.id = b.campaign_id WHERE b.person_id = p_person_id), '[]'),
    'recalls', coalesce((SELECT jsonb_agg(jsonb_build_object('id', r.id, 'campaignCode', k.code, 'seriesId', r.series_id, 'dose', r.dose,
                                     'dueDate', r.due_date) ORDER BY r.due_date DESC, r.id DESC)
                         FROM ims.recall_entry r JOIN ims.campaign k ON k.id = r.campaign_id WHERE r.person_id = p_person_id), '[]'));
END
$$;

REVOKE EXECUTE ON FUNCTION
  api.communication_claim(text, text[], integer, integer, date), api.communication_sent(bigint, text, text),
  api.communication_refused(bigint, text), api.communication_release(bigint, text, integer),
  api.communication_delivery(uuid, text, text, text), api.communications_to_poll(text, integer),
  api.campaign_communication_counts(text), api.sending_settings_check()
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
  api.communication_claim(text, text[], integer, integer, date), api.communication_sent(bigint, text, text),
  api.communication_refused(bigint, text), api.communication_release(bigint, text, integer),
  api.communication_delivery(uuid, text, text, text), api.communications_to_poll(text, integer),
  api.sending_settings_check()
  TO ims_administrator, ims_coordinator;
GRANT EXECUTE ON FUNCTION api.campaign_communication_counts(text)
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;
