-- Child health and school messages sent: a child's overdue message (0041) and a school
-- session's consent request and reminder (0070) belong to no campaign, and were made as pending
-- communications that nothing sent. They now go out by the same claim, send, delivery and
-- letter production as a campaign's (0035, 0036), with templates of their own.
--
-- What this adds or changes:
--   * the communication key (communication_once) becomes a named constraint, and every insert
--     says ON CONFLICT ON CONSTRAINT communication_once: a later change of the key's columns
--     redefines the constraint only, never the functions that insert communications;
--   * standing templates: message templates that belong to no campaign (campaign_id null), and
--     for each of the three purposes and each channel the version in use
--     (ims.standing_template), shipped with a default of each; a communication of no campaign
--     takes the one in use when it is made (a trigger, so every path that makes one is covered);
--   * what those messages say besides the person: the child's school, session date and school
--     programme, and the consent link and phone number of the installation's child health
--     service (ims.child_health_contact; new merge fields);
--   * the sender's functions (claim, poll, export, and the checks of sent, refused, release and
--     delivery) take a null campaign code to mean the communications of no campaign, for child
--     health staff and administrators in their scope;
--   * letter runs for those communications (a run with no campaign), with the same files,
--     records and resume as a campaign's;
--   * the daily run's consent reminders for whoever runs school sessions.
--
-- Who may: the communications of no campaign are child health staff's and administrators'
-- (ims.may_work_child_health), within their scope (the person's practice or local authority),
-- as the worklists and school sessions that make them; campaign communications stay the
-- campaign runners'. The command line runs as the owner.

-- ---------------------------------------------------------------------------------------
-- The communication key, named once.

ALTER TABLE ims.communication ADD CONSTRAINT communication_once UNIQUE USING INDEX communication_once;

DO $$
DECLARE
  r record;
  v_def text;
BEGIN
  FOR r IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname IN ('api', 'ims') AND p.prosrc ~ 'ON CONFLICT \(purpose, invitation_id'
  LOOP
    v_def := regexp_replace(pg_get_functiondef(r.oid), 'ON CONFLICT \(purpose, invitation_id[^)]*\) DO NOTHING',
                            'ON CONFLICT ON CONSTRAINT communication_once DO NOTHING', 'g');
    EXECUTE v_def;
  END LOOP;
  IF EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname IN ('api', 'ims') AND p.prosrc ~ 'ON CONFLICT \(purpose') THEN
    RAISE EXCEPTION 'A function still names the communication key''s columns.';
  END IF;
END
$$;

-- A child's overdue message may fall back to another channel like any other: the key (with
-- fallback_of) keeps one per action and failed message, so the action alone is not unique.
ALTER TABLE ims.communication DROP CONSTRAINT communication_child_action_id_key;
CREATE INDEX communication_child_action_idx ON ims.communication (child_action_id) WHERE child_action_id IS NOT NULL;
-- The sender's and poller's reads of the communications of no campaign.
CREATE INDEX communication_to_send_standing ON ims.communication (id) WHERE status = 'PENDING' AND campaign_id IS NULL;
CREATE INDEX communication_to_poll_standing ON ims.communication (id) WHERE status = 'SENT' AND provider = 'NOTIFY' AND campaign_id IS NULL
  AND (delivery_status IS NULL OR delivery_status IN ('created', 'sending', 'pending', 'sent', 'accepted', 'pending-virus-check'));

-- ---------------------------------------------------------------------------------------
-- What the messages of no campaign say besides the person.

-- The installation's child health service, as its messages name it: one row.
CREATE TABLE ims.child_health_contact (
  id                boolean PRIMARY KEY DEFAULT true CHECK (id),
  organisation_name text NOT NULL DEFAULT 'Child health service' CHECK (length(btrim(organisation_name)) BETWEEN 1 AND 200),
  consent_link      text CHECK (consent_link ~ '^https://[^[:space:]]{3,}$' AND length(consent_link) <= 300),
  consent_phone     text CHECK (consent_phone ~ '^[0-9+][0-9 ]{5,19}$'),
  updated_by        text NOT NULL DEFAULT session_user,
  updated_at        timestamptz NOT NULL DEFAULT now()
);
INSERT INTO ims.child_health_contact (id) VALUES (true);
SELECT audit.attach('ims.child_health_contact');
REVOKE ALL ON ims.child_health_contact FROM PUBLIC;
ALTER TABLE ims.child_health_contact ENABLE ROW LEVEL SECURITY;

INSERT INTO ims.merge_field (code, label) VALUES
  ('school', 'The child''s school (school messages; empty otherwise)'),
  ('session date', 'Date of the school session (school messages; empty otherwise)'),
  ('school programme', 'The school session''s programme, such as HPV (school messages; empty otherwise)'),
  ('consent link', 'Where parents give or refuse consent online (the child health service''s; empty when none)'),
  ('consent phone', 'The child health service''s phone number for consent and questions (empty when none)');

-- ---------------------------------------------------------------------------------------
-- Standing templates: templates of no campaign, versioned as a campaign's.

ALTER TABLE ims.message_template ALTER COLUMN campaign_id DROP NOT NULL;
ALTER TABLE ims.message_template DROP CONSTRAINT message_template_purpose_check,
  ADD CONSTRAINT message_template_purpose_check CHECK (purpose IN ('INVITATION', 'REMINDER', 'RECALL', 'DID_NOT_ATTEND', 'CHILD_OVERDUE',
                                                                   'STAFF_REMINDER', 'CONSENT_REQUEST', 'CONSENT_REMINDER')),
  ADD CONSTRAINT message_template_standing_purpose CHECK (campaign_id IS NOT NULL OR purpose IN ('CHILD_OVERDUE', 'CONSENT_REQUEST', 'CONSENT_REMINDER'));
CREATE UNIQUE INDEX message_template_standing_key ON ims.message_template (name, version) WHERE campaign_id IS NULL;

-- The version in use for each purpose and channel of the messages of no campaign.
CREATE TABLE ims.standing_template (
  purpose          text NOT NULL CHECK (purpose IN ('CHILD_OVERDUE', 'CONSENT_REQUEST', 'CONSENT_REMINDER')),
  channel          text NOT NULL CHECK (channel IN ('LETTER', 'EMAIL', 'SMS')),
  template_name    text NOT NULL,
  template_version integer NOT NULL,
  PRIMARY KEY (purpose, channel)
);
SELECT audit.attach('ims.standing_template');
REVOKE ALL ON ims.standing_template FROM PUBLIC;
ALTER TABLE ims.standing_template ENABLE ROW LEVEL SECURITY;

-- The defaults, a version 1 of each: a service changes them by saving a new version.
INSERT INTO ims.message_template (campaign_id, name, version, purpose, channel, subject, body, created_by) VALUES
  (NULL, 'child-overdue-letter', 1, 'CHILD_OVERDUE', 'LETTER', '((full name))''s vaccinations',
   E'Dear parent or carer of ((full name)),\n\nOur records show that ((first name)) has missed one or more of the vaccinations offered to every child. Vaccines protect children from serious illnesses, and it is not too late to catch up.\n\nPlease contact your GP practice((practice??, ((practice)),)) to book an appointment.((consent phone?? If you have questions, call us on ((consent phone)).))\n\nIf ((first name)) has had these vaccinations elsewhere, please let us know so that we can update their record.\n\nYours sincerely,\n((organisation))',
   'ims'),
  (NULL, 'child-overdue-email', 1, 'CHILD_OVERDUE', 'EMAIL', '((first name)) is due vaccinations',
   E'Dear parent or carer of ((full name)),\n\nOur records show that ((first name)) has missed one or more routine vaccinations. Please contact your GP practice to book an appointment.((consent phone?? If you have questions, call us on ((consent phone)).))\n\n((organisation))',
   'ims'),
  (NULL, 'child-overdue-text', 1, 'CHILD_OVERDUE', 'SMS', NULL,
   E'((first name)) has missed one or more routine vaccinations. Please contact your GP practice to book. ((organisation))',
   'ims'),
  (NULL, 'consent-request-letter', 1, 'CONSENT_REQUEST', 'LETTER', '((school programme)) vaccination at ((school))',
   E'Dear parent or carer of ((full name)),\n\nThe school immunisation team will be at ((school)) on ((session date)) to offer ((first name)) the ((school programme)) vaccination.\n\nPlease tell us whether you give consent((consent link?? online at ((consent link))))((consent phone?? or by calling ((consent phone)))). We need your answer before the session.\n\nYours sincerely,\n((organisation))',
   'ims'),
  (NULL, 'consent-request-email', 1, 'CONSENT_REQUEST', 'EMAIL', '((school programme)) vaccination at ((school)) on ((session date))',
   E'Dear parent or carer of ((full name)),\n\nThe school immunisation team will be at ((school)) on ((session date)) to offer ((first name)) the ((school programme)) vaccination.\n\nPlease tell us whether you give consent((consent link?? online at ((consent link))))((consent phone?? or by calling ((consent phone)))).\n\n((organisation))',
   'ims'),
  (NULL, 'consent-request-text', 1, 'CONSENT_REQUEST', 'SMS', NULL,
   E'((school programme)) vaccination for ((first name)) at ((school)) on ((session date)). Please give or refuse consent((consent link?? at ((consent link))))((consent phone?? or call ((consent phone)))). ((organisation))',
   'ims'),
  (NULL, 'consent-reminder-letter', 1, 'CONSENT_REMINDER', 'LETTER', 'Reminder: ((school programme)) vaccination at ((school))',
   E'Dear parent or carer of ((full name)),\n\nWe have not yet had your answer about ((first name))''s ((school programme)) vaccination at ((school)) on ((session date)).\n\nPlease give or refuse consent((consent link?? online at ((consent link))))((consent phone?? or by calling ((consent phone)))) before the session.\n\nYours sincerely,\n((organisation))',
   'ims'),
  (NULL, 'consent-reminder-email', 1, 'CONSENT_REMINDER', 'EMAIL', 'Reminder: consent for ((first name)) by ((session date))',
   E'Dear parent or carer of ((full name)),\n\nWe have not yet had your answer about ((first name))''s ((school programme)) vaccination at ((school)) on ((session date)).\n\nPlease give or refuse consent((consent link?? online at ((consent link))))((consent phone?? or by calling ((consent phone)))) before the session.\n\n((organisation))',
   'ims'),
  (NULL, 'consent-reminder-text', 1, 'CONSENT_REMINDER', 'SMS', NULL,
   E'Reminder: please give or refuse consent for ((first name))''s ((school programme)) vaccination on ((session date))((consent link?? at ((consent link))))((consent phone?? or call ((consent phone)))). ((organisation))',
   'ims');
INSERT INTO ims.standing_template (purpose, channel, template_name, template_version)
SELECT t.purpose, t.channel, t.name, t.version FROM ims.message_template t WHERE t.campaign_id IS NULL;

-- A communication of no campaign takes the standing template in use for its purpose and channel
-- when it is made (the worklists, school sessions and fallbacks make them without one).
CREATE FUNCTION ims.communication_standing_template() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.campaign_id IS NULL AND NEW.template_name IS NULL THEN
    SELECT s.template_name, s.template_version INTO NEW.template_name, NEW.template_version
    FROM ims.standing_template s WHERE s.purpose = NEW.purpose AND s.channel = NEW.channel;
  END IF;
  RETURN NEW;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.communication_standing_template() FROM PUBLIC;
CREATE TRIGGER communication_standing_template BEFORE INSERT ON ims.communication
  FOR EACH ROW WHEN (NEW.campaign_id IS NULL AND NEW.template_name IS NULL) EXECUTE FUNCTION ims.communication_standing_template();

-- Those made before today, still waiting.
UPDATE ims.communication m SET template_name = s.template_name, template_version = s.template_version
FROM ims.standing_template s
WHERE m.campaign_id IS NULL AND m.template_name IS NULL AND m.status = 'PENDING' AND s.purpose = m.purpose AND s.channel = m.channel;

-- What a message of a school session says of it (contract: LetterPerson's school fields).
CREATE FUNCTION ims.letter_school(p_school_child_id bigint) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT jsonb_build_object('schoolName', sc.name, 'sessionDate', s.session_date, 'schoolProgramme', g.label)
  FROM (SELECT p_school_child_id AS id) x
  LEFT JOIN ims.school_session_child c ON c.id = x.id
  LEFT JOIN ims.school_session s ON s.id = c.session_id
  LEFT JOIN ims.school sc ON sc.urn = s.school_urn
  LEFT JOIN ims.school_programme g ON g.code = s.programme
$$;
REVOKE EXECUTE ON FUNCTION ims.letter_school(bigint) FROM PUBLIC;

-- What a letter of no campaign knows of who sends it, in a campaign's shape (contract:
-- LetterCampaign): the child health service, and a phone number as the way to reach it.
CREATE FUNCTION ims.letter_standing() RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT jsonb_build_object(
    'code', 'child-health', 'name', 'Child health', 'organisationCode', '', 'organisationName', h.organisation_name,
    'bookingRoute', 'PHONE', 'bookingUrl', NULL, 'bookingPhone', h.consent_phone, 'clinicName', NULL, 'clinicPostcode', NULL,
    'consentLink', h.consent_link, 'consentPhone', h.consent_phone)
  FROM ims.child_health_contact h
$$;
REVOKE EXECUTE ON FUNCTION ims.letter_standing() FROM PUBLIC;

-- ---------------------------------------------------------------------------------------
-- Standing templates and the service's contact through the api.

CREATE FUNCTION ims.refuse_unless_standing_messages() RETURNS void
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.may_work_child_health() THEN
    RAISE EXCEPTION 'Your role may not work with child health and school messages.' USING ERRCODE = 'insufficient_privilege';
  END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION ims.refuse_unless_standing_messages() FROM PUBLIC;

-- Every version of the standing templates, newest first within a name (contract: MessageTemplate[]).
CREATE FUNCTION api.standing_templates() RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.refuse_unless_standing_messages();
  RETURN coalesce((SELECT jsonb_agg(ims.message_template_json(t) || jsonb_build_object('inUse', EXISTS (
                      SELECT 1 FROM ims.standing_template u WHERE u.template_name = t.name AND u.template_version = t.version))
                    ORDER BY t.name, t.version DESC)
                   FROM ims.message_template t WHERE t.campaign_id IS NULL), '[]');
END
$$;

-- Saves a standing template or its next version, as api.message_template_save does a campaign's;
-- p_use: messages of its purpose and channel made from now on use this version.
CREATE FUNCTION api.standing_template_save(p_name text, p_purpose text, p_channel text, p_subject text, p_body text, p_variants jsonb,
                                           p_based_on integer, p_use boolean)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_latest ims.message_template;
  v_row ims.message_template;
BEGIN
  PERFORM ims.refuse_unless_standing_messages();
  IF p_purpose IS NULL OR p_purpose NOT IN ('CHILD_OVERDUE', 'CONSENT_REQUEST', 'CONSENT_REMINDER') THEN
    PERFORM ims.refuse_bad_request('Standing templates are for child overdue messages and school consent requests and reminders.');
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('ims.message_template'), 0);
  SELECT * INTO v_latest FROM ims.message_template t WHERE t.campaign_id IS NULL AND t.name = p_name ORDER BY t.version DESC LIMIT 1;
  IF p_based_on IS NULL AND v_latest.id IS NOT NULL THEN
    RAISE EXCEPTION 'A template called % already exists: edit it, or choose another name.', left(p_name, 80) USING ERRCODE = 'unique_violation';
  END IF;
  IF p_based_on IS NOT NULL AND v_latest.id IS NULL THEN
    RAISE EXCEPTION 'No template % is available to you.', left(p_name, 80) USING ERRCODE = 'no_data_found';
  END IF;
  IF p_based_on IS NOT NULL AND v_latest.version <> p_based_on THEN
    RAISE EXCEPTION 'Version % of % was saved by % since you opened version %: reopen it to see the change.',
      v_latest.version, v_latest.name, v_latest.created_by, p_based_on USING ERRCODE = 'serialization_failure';
  END IF;
  IF v_latest.id IS NOT NULL AND (v_latest.purpose <> p_purpose OR v_latest.channel <> p_channel) THEN
    PERFORM ims.refuse_bad_request('A template keeps its purpose and channel: save a new template for another.');
  END IF;
  INSERT INTO ims.message_template (campaign_id, name, version, purpose, channel, subject, body, variants)
  VALUES (NULL, p_name, coalesce(v_latest.version, 0) + 1, p_purpose, p_channel, nullif(btrim(p_subject), ''), p_body, coalesce(p_variants, '{}'))
  RETURNING * INTO v_row;
  IF p_use THEN
    INSERT INTO ims.standing_template (purpose, channel, template_name, template_version)
    VALUES (p_purpose, p_channel, v_row.name, v_row.version)
    ON CONFLICT (purpose, channel) DO UPDATE SET template_name = EXCLUDED.template_name, template_version = EXCLUDED.template_version;
  END IF;
  RETURN ims.message_template_json(v_row) || jsonb_build_object('inUse', coalesce(p_use, false));
END
$$;

-- The child health service as its messages name it (contract: ChildHealthContact).
CREATE FUNCTION api.child_health_contact() RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM ims.refuse_unless_standing_messages();
  RETURN (SELECT jsonb_build_object('organisationName', h.organisation_name, 'consentLink', h.consent_link, 'consentPhone', h.consent_phone,
                                    'updatedBy', h.updated_by, 'updatedAt', h.updated_at) FROM ims.child_health_contact h);
END
$$;

-- Changes it: administrators only (it is the whole installation's).
CREATE FUNCTION api.child_health_contact_save(p_organisation_name text, p_consent_link text, p_consent_phone text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF ims.is_application_user() AND NOT (ims.is_registered_user() AND ims.is_admin()) THEN
    RAISE EXCEPTION 'Only administrators may change how the child health service is named in messages.' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF p_organisation_name IS NULL OR length(btrim(p_organisation_name)) NOT BETWEEN 1 AND 200
     OR (nullif(btrim(p_consent_link), '') !~ '^https://[^[:space:]]{3,}$') OR length(p_consent_link) > 300
     OR (nullif(btrim(p_consent_phone), '') !~ '^[0-9+][0-9 ]{5,19}$') THEN
    PERFORM ims.refuse_bad_request('Give the service''s name (1 to 200 characters), a consent link starting https:// and a phone number of digits and spaces.');
  END IF;
  UPDATE ims.child_health_contact h
  SET organisation_name = btrim(p_organisation_name), consent_link = nullif(btrim(p_consent_link), ''),
      consent_phone = nullif(btrim(p_consent_phone), ''), updated_by = session_user, updated_at = now();
  RETURN api.child_health_contact();
END
$$;

-- ---------------------------------------------------------------------------------------
-- The sender's checks for a communication of no campaign.

-- The communication, locked, if the caller may send it: a campaign's for those who run the
-- campaign, one of no campaign for child health staff and administrators; and its person in the
-- caller's scope. One message for absent and out of scope alike.
CREATE OR REPLACE FUNCTION ims.communication_for(p_id bigint) RETURNS ims.communication
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m ims.communication;
  v_org text;
  v_allowed boolean;
BEGIN
  IF NOT (ims.may_run_campaigns() OR ims.may_work_child_health()) THEN
    RAISE EXCEPTION 'Your role may not send campaign messages.' USING ERRCODE = 'insufficient_privilege';
  END IF;
  SELECT * INTO m FROM ims.communication x WHERE x.id = p_id FOR UPDATE;
  IF m.campaign_id IS NULL THEN
    v_allowed := ims.may_work_child_health();
  ELSE
    SELECT k.organisation_code INTO v_org FROM ims.campaign k WHERE k.id = m.campaign_id;
    v_allowed := ims.may_run_campaigns() AND ims.campaign_visible(v_org, true);
  END IF;
  IF m.id IS NULL OR NOT v_allowed OR (ims.is_application_user() AND NOT ims.person_in_scope(m.person_id)) THEN
    RAISE EXCEPTION 'No message % is available to you.', p_id USING ERRCODE = 'no_data_found';
  END IF;
  RETURN m;
END
$$;

-- The campaign a sender's call names, or null for the communications of no campaign (after
-- checking that the caller may send those).
CREATE FUNCTION ims.sending_campaign(p_code text) RETURNS ims.campaign
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_code IS NULL THEN
    PERFORM ims.refuse_unless_standing_messages();
    RETURN NULL;
  END IF;
  RETURN ims.campaign_for(p_code, true);
END
$$;
REVOKE EXECUTE ON FUNCTION ims.sending_campaign(text) FROM PUBLIC;

-- After a communication failed for good, as in 0036: a new pending communication by the next
-- channel the person can be reached by, now also for the communications of no campaign (any of
-- the three channels; the standing template in use, by the trigger), keeping what it is about.
CREATE OR REPLACE FUNCTION ims.communication_fall_back(p_id bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_id bigint;
BEGIN
  INSERT INTO ims.communication (person_id, campaign_id, invitation_id, reminder_rule_id, booking_id, recall_id, child_action_id,
                                 school_child_id, purpose, channel, template_name, template_version, fallback_of)
  SELECT m.person_id, m.campaign_id, m.invitation_id, m.reminder_rule_id, m.booking_id, m.recall_id, m.child_action_id, m.school_child_id,
         m.purpose, nx.channel, t.template_name, t.template_version, m.id
  FROM ims.communication m
  LEFT JOIN ims.campaign k ON k.id = m.campaign_id
  JOIN ims.person p ON p.id = m.person_id
  LEFT JOIN ims.contact_details d ON d.person_id = m.person_id
  CROSS JOIN LATERAL (
    SELECT o.channel FROM (VALUES (1, 'SMS'), (2, 'EMAIL'), (3, 'LETTER')) AS o (rank, channel)
    WHERE o.rank > CASE m.channel WHEN 'SMS' THEN 1 WHEN 'EMAIL' THEN 2 ELSE 3 END
      AND o.channel = ANY (coalesce(k.channels, ARRAY['SMS', 'EMAIL', 'LETTER']))
      AND ims.campaign_channel(ARRAY[o.channel], o.channel, d.mobile, d.email,
                               CASE WHEN d.address_unreliable_since IS NULL THEN d.address_line1 END, p.postcode,
                               d.opt_out_letter, d.opt_out_email, d.opt_out_sms) IS NOT NULL
    ORDER BY o.rank LIMIT 1) nx
  LEFT JOIN ims.campaign_template t ON t.campaign_id = k.id AND t.purpose = m.purpose AND t.channel = nx.channel
  WHERE m.id = p_id AND p.date_of_death IS NULL
  ON CONFLICT ON CONSTRAINT communication_once DO NOTHING
  RETURNING id INTO v_id;
  RETURN v_id;
END
$$;

-- The claim of 0036, for a campaign's communications (p_code) or, with p_code null, those of no
-- campaign; each row also says what a school message needs (school, session date, programme)
-- and how to reach the child health service (consent link and phone).
DROP FUNCTION api.communication_claim(text, text[], integer, integer, date);
CREATE FUNCTION api.communication_claim(p_code text, p_channels text[], p_limit integer, p_lease_seconds integer, p_today date)
RETURNS TABLE (communication_id bigint, reference uuid, purpose text, channel text, template_name text, template_version integer,
               attempts integer, person_id bigint, nhs_number text, given_name text, family_name text, email text, mobile text,
               address_line1 text, address_line2 text, address_line3 text, town text, postcode text, campaign_name text,
               school_name text, session_date date, school_programme text, consent_link text, consent_phone text, organisation_name text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c ims.campaign := ims.sending_campaign(p_code);
  h ims.child_health_contact := (SELECT x FROM ims.child_health_contact x);
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
  v_standing boolean := p_code IS NULL;
BEGIN
  IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 10000 OR p_lease_seconds IS NULL OR p_lease_seconds NOT BETWEEN 5 AND 86400
     OR p_today IS NULL OR p_channels IS NULL OR NOT p_channels <@ ARRAY['LETTER', 'EMAIL', 'SMS'] THEN
    PERFORM ims.refuse_bad_request('Claim 1 to 10,000 messages by known channels for 5 seconds to a day, with today''s date.');
  END IF;
  UPDATE ims.communication m
  SET status = 'FAILED', status_at = now(), claimed_until = NULL,
      failure_reason = 'The address is marked unreliable (a letter to it came back); no letter was posted.'
  FROM ims.contact_details d, ims.person p
  WHERE (CASE WHEN v_standing THEN m.campaign_id IS NULL ELSE m.campaign_id = c.id END)
    AND m.status = 'PENDING' AND m.channel = 'LETTER' AND 'LETTER' = ANY (p_channels)
    AND d.person_id = m.person_id AND d.address_unreliable_since IS NOT NULL AND p.id = m.person_id
    AND (m.claimed_until IS NULL OR m.claimed_until < now())
    AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)));
  RETURN QUERY
  WITH picked AS (
    SELECT m.id FROM ims.communication m
    JOIN ims.person p ON p.id = m.person_id
    LEFT JOIN ims.invitation i ON i.id = m.invitation_id
    WHERE (CASE WHEN v_standing THEN m.campaign_id IS NULL ELSE m.campaign_id = c.id END)
      AND m.status = 'PENDING' AND m.channel = ANY (p_channels)
      AND (m.claimed_until IS NULL OR m.claimed_until < now())
      AND (m.purpose <> 'INVITATION' OR i.planned_release_on <= p_today)
      AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)))
    ORDER BY m.id
    LIMIT p_limit
    FOR UPDATE OF m SKIP LOCKED
  ), claimed AS (
    UPDATE ims.communication m SET claimed_until = now() + make_interval(secs => p_lease_seconds), attempts = m.attempts + 1
    FROM picked WHERE m.id = picked.id
    RETURNING m.id, m.reference, m.purpose, m.channel, m.template_name, m.template_version, m.attempts, m.person_id, m.school_child_id
  ), viewed AS (
    INSERT INTO audit.record_view (person_id, purpose)
    SELECT DISTINCT x.person_id, CASE WHEN v_standing THEN 'Child health message sent' ELSE 'Campaign message sent' END
    FROM claimed x WHERE ims.is_application_user()
    RETURNING 1
  )
  SELECT x.id, x.reference, x.purpose, x.channel, x.template_name, x.template_version, x.attempts, x.person_id, p.nhs_number,
         p.given_name, p.family_name, d.email, d.mobile, d.address_line1, d.address_line2, d.address_line3, d.town, p.postcode,
         coalesce(c.name, 'Child health'), sc.name, s.session_date, g.label, h.consent_link, h.consent_phone,
         coalesce((SELECT o.name FROM ims.organisation o WHERE o.code = c.organisation_code), h.organisation_name)
  FROM claimed x JOIN ims.person p ON p.id = x.person_id
  LEFT JOIN ims.contact_details d ON d.person_id = x.person_id
  LEFT JOIN ims.school_session_child sx ON sx.id = x.school_child_id
  LEFT JOIN ims.school_session s ON s.id = sx.session_id
  LEFT JOIN ims.school sc ON sc.urn = s.school_urn
  LEFT JOIN ims.school_programme g ON g.code = s.programme
  ORDER BY x.id;
END
$$;

-- What a status poll asks about (0036), for a campaign or, with p_code null, the messages of no campaign.
CREATE OR REPLACE FUNCTION api.communications_to_poll(p_code text, p_limit integer)
RETURNS TABLE (communication_id bigint, reference uuid, provider_id text, channel text, delivery_status text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c ims.campaign := ims.sending_campaign(p_code);
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
  WHERE (CASE WHEN p_code IS NULL THEN m.campaign_id IS NULL ELSE m.campaign_id = c.id END)
    AND m.status = 'SENT' AND m.provider = 'NOTIFY'
    AND (m.delivery_status IS NULL OR m.delivery_status IN ('created', 'sending', 'pending', 'sent', 'accepted', 'pending-virus-check'))
    AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)))
  ORDER BY m.id
  LIMIT p_limit;
END
$$;

-- The Notify bulk-send export (0032), for a campaign or, with p_code null, the messages of no
-- campaign (p_batch_id and the release day then play no part), each row with a school message's
-- school, session date and programme.
DROP FUNCTION api.communication_export(text, bigint, text, text, date, boolean);
CREATE FUNCTION api.communication_export(p_code text, p_batch_id bigint, p_purpose text, p_channel text, p_due_by date, p_mark_sent boolean)
RETURNS TABLE (communication_id bigint, reference uuid, nhs_number text, given_name text, family_name text, email text, mobile text,
               address_line1 text, address_line2 text, address_line3 text, town text, postcode text, release_on date,
               school_name text, session_date date, school_programme text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c ims.campaign := ims.sending_campaign(p_code);
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
BEGIN
  IF p_purpose IS NULL OR p_channel IS NULL OR p_channel NOT IN ('LETTER', 'EMAIL', 'SMS') OR p_due_by IS NULL
     OR (p_code IS NOT NULL AND p_purpose NOT IN ('INVITATION', 'REMINDER', 'RECALL', 'DID_NOT_ATTEND'))
     OR (p_code IS NULL AND p_purpose NOT IN ('CHILD_OVERDUE', 'CONSENT_REQUEST', 'CONSENT_REMINDER')) THEN
    PERFORM ims.refuse_bad_request('Export a known purpose and channel, due by a date.');
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS campaign_export (id bigint PRIMARY KEY) ON COMMIT DROP;
  TRUNCATE pg_temp.campaign_export;
  INSERT INTO pg_temp.campaign_export (id)
  SELECT m.id FROM ims.communication m
  JOIN ims.person p ON p.id = m.person_id
  LEFT JOIN ims.invitation i ON i.id = m.invitation_id
  WHERE (CASE WHEN p_code IS NULL THEN m.campaign_id IS NULL ELSE m.campaign_id = c.id END)
    AND m.purpose = p_purpose AND m.channel = p_channel AND m.status = 'PENDING'
    -- Not while a sender holds it: a message is either exported or sent, never both.
    AND (m.claimed_until IS NULL OR m.claimed_until < now())
    AND (p_batch_id IS NULL OR i.batch_id = p_batch_id)
    AND (m.purpose <> 'INVITATION' OR i.planned_release_on <= p_due_by)
    AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)))
  FOR UPDATE OF m SKIP LOCKED;
  IF ims.is_application_user() THEN
    INSERT INTO audit.record_view (person_id, purpose)
    SELECT DISTINCT m.person_id, CASE WHEN p_code IS NULL THEN 'Child health communications export' ELSE 'Campaign communications export' END
    FROM ims.communication m JOIN pg_temp.campaign_export e ON e.id = m.id;
  END IF;
  IF p_mark_sent THEN
    UPDATE ims.communication m SET status = 'SENT', sent_at = now(), status_at = now()
    FROM pg_temp.campaign_export e WHERE e.id = m.id;
  END IF;
  RETURN QUERY
  SELECT m.id, m.reference, p.nhs_number, p.given_name, p.family_name, d.email, d.mobile, d.address_line1, d.address_line2, d.address_line3,
         d.town, p.postcode, i.planned_release_on, sc.name, s.session_date, g.label
  FROM pg_temp.campaign_export e JOIN ims.communication m ON m.id = e.id
  JOIN ims.person p ON p.id = m.person_id
  LEFT JOIN ims.contact_details d ON d.person_id = m.person_id
  LEFT JOIN ims.invitation i ON i.id = m.invitation_id
  LEFT JOIN ims.school_session_child sx ON sx.id = m.school_child_id
  LEFT JOIN ims.school_session s ON s.id = sx.session_id
  LEFT JOIN ims.school sc ON sc.urn = s.school_urn
  LEFT JOIN ims.school_programme g ON g.code = s.programme
  ORDER BY p.family_name, p.given_name, m.id;
END
$$;

-- ---------------------------------------------------------------------------------------
-- Letter runs of no campaign: the same runs, files and records as a campaign's (0035).

ALTER TABLE ims.letter_run ALTER COLUMN campaign_id DROP NOT NULL;
CREATE UNIQUE INDEX letter_run_one_running_standing ON ims.letter_run ((campaign_id IS NULL)) WHERE status = 'RUNNING' AND campaign_id IS NULL;

CREATE OR REPLACE FUNCTION ims.letter_run_for(p_run_id bigint) RETURNS ims.letter_run
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r ims.letter_run;
BEGIN
  SELECT * INTO r FROM ims.letter_run x WHERE x.id = p_run_id FOR UPDATE;
  IF r.id IS NULL OR (r.campaign_id IS NULL AND NOT ims.may_work_child_health()) THEN
    RAISE EXCEPTION 'No letter run % is available to you.', p_run_id USING ERRCODE = 'no_data_found';
  END IF;
  IF r.campaign_id IS NOT NULL THEN
    PERFORM ims.campaign_for((SELECT k.code FROM ims.campaign k WHERE k.id = r.campaign_id), true);
  END IF;
  RETURN r;
END
$$;

-- What a run's letters know of who sends them: the campaign, or the child health service.
CREATE FUNCTION ims.letter_sender(p_campaign_id bigint) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN p_campaign_id IS NULL THEN ims.letter_standing()
              ELSE ims.letter_campaign(p_campaign_id) || jsonb_build_object('consentLink', h.consent_link, 'consentPhone', h.consent_phone) END
  FROM ims.child_health_contact h
$$;
REVOKE EXECUTE ON FUNCTION ims.letter_sender(bigint) FROM PUBLIC;

-- Opens a run for the campaign, or with p_campaign null for the letters of no campaign; or
-- answers the one already open (to resume).
CREATE OR REPLACE FUNCTION api.letter_run_open(p_campaign text, p_layout text, p_per_file integer, p_purpose text, p_due_by date, p_large_print boolean)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c ims.campaign := ims.sending_campaign(p_campaign);
  r ims.letter_run;
  v_resumed boolean := true;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('ims.letter_run'), coalesce(c.id, 0)::integer);
  SELECT * INTO r FROM ims.letter_run x WHERE x.campaign_id IS NOT DISTINCT FROM c.id AND x.status = 'RUNNING';
  IF r.id IS NULL THEN
    INSERT INTO ims.letter_run (campaign_id, layout, per_file, purpose, due_by, large_print)
    VALUES (c.id, p_layout, p_per_file, p_purpose, p_due_by, coalesce(p_large_print, false))
    RETURNING * INTO r;
    v_resumed := false;
  END IF;
  RETURN jsonb_build_object('runId', r.id, 'resumed', v_resumed, 'layout', r.layout, 'perFile', r.per_file, 'purpose', r.purpose,
    'dueBy', r.due_by, 'largePrint', r.large_print,
    'campaign', ims.letter_sender(c.id),
    'produced', (SELECT count(*) FROM ims.letter_output o WHERE o.run_id = r.id AND o.status = 'PRODUCED'),
    'failed', (SELECT count(*) FROM ims.letter_output o WHERE o.run_id = r.id AND o.status = 'FAILED'),
    'remaining', ims.letter_run_remaining(r));
END
$$;

CREATE OR REPLACE FUNCTION ims.letter_run_remaining(r ims.letter_run) RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
BEGIN
  RETURN (SELECT count(*) FROM ims.communication m
          JOIN ims.person p ON p.id = m.person_id
          LEFT JOIN ims.invitation i ON i.id = m.invitation_id
          LEFT JOIN ims.letter_output o ON o.communication_id = m.id
          WHERE (CASE WHEN r.campaign_id IS NULL THEN m.campaign_id IS NULL ELSE m.campaign_id = r.campaign_id END)
            AND m.channel = 'LETTER' AND m.status = 'PENDING'
            AND (r.purpose IS NULL OR m.purpose = r.purpose)
            AND (m.purpose <> 'INVITATION' OR i.planned_release_on <= r.due_by)
            AND (o.communication_id IS NULL OR o.status = 'PLANNED' OR (o.status = 'FAILED' AND o.run_id <> r.id))
            AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las))));
END
$$;

-- The next file of the run, as in 0035; for a run of no campaign the letters of no campaign with
-- the standing template in use, and each letter's school, session date and programme.
CREATE OR REPLACE FUNCTION api.letter_run_next_file(p_run_id bigint, p_busy integer[]) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r ims.letter_run := ims.letter_run_for(p_run_id);
  v_all boolean := NOT ims.is_application_user() OR ims.is_admin();
  v_practices text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_practices() END;
  v_las text[] := CASE WHEN v_all THEN '{}' ELSE ims.scope_local_authorities() END;
  v_file integer;
  v_count integer;
BEGIN
  IF r.status <> 'RUNNING' THEN
    RAISE EXCEPTION 'Letter run % has finished.', r.id USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  SELECT min(o.file_no) INTO v_file FROM ims.letter_output o
  WHERE o.run_id = r.id AND o.status = 'PLANNED' AND o.file_no <> ALL (coalesce(p_busy, '{}'));
  IF v_file IS NULL THEN
    v_file := coalesce((SELECT max(o.file_no) FROM ims.letter_output o WHERE o.run_id = r.id), 0) + 1;
    INSERT INTO ims.letter_output AS o (communication_id, person_id, run_id, file_no, seq, status, template_name, template_version)
    SELECT x.id, x.person_id, r.id, v_file, x.seq, 'PLANNED', x.template_name, x.template_version
    FROM (SELECT m.id, m.person_id, coalesce(t.template_name, st.template_name) AS template_name,
                 coalesce(t.template_version, st.template_version) AS template_version,
                 row_number() OVER (ORDER BY p.family_name, p.given_name, m.id)::integer AS seq
          FROM ims.communication m
          JOIN ims.person p ON p.id = m.person_id
          LEFT JOIN ims.invitation i ON i.id = m.invitation_id
          LEFT JOIN ims.campaign_template t ON t.campaign_id = m.campaign_id AND t.purpose = m.purpose AND t.channel = 'LETTER'
          LEFT JOIN ims.standing_template st ON m.campaign_id IS NULL AND st.purpose = m.purpose AND st.channel = 'LETTER'
          LEFT JOIN ims.letter_output lo ON lo.communication_id = m.id
          WHERE (CASE WHEN r.campaign_id IS NULL THEN m.campaign_id IS NULL ELSE m.campaign_id = r.campaign_id END)
            AND m.channel = 'LETTER' AND m.status = 'PENDING'
            AND (r.purpose IS NULL OR m.purpose = r.purpose)
            AND (m.purpose <> 'INVITATION' OR i.planned_release_on <= r.due_by)
            AND (lo.communication_id IS NULL OR (lo.status = 'FAILED' AND lo.run_id <> r.id))
            AND (v_all OR p.practice_code IN (SELECT unnest(v_practices)) OR p.la_code IN (SELECT unnest(v_las)))
          ORDER BY p.family_name, p.given_name, m.id
          LIMIT r.per_file) x
    ON CONFLICT (communication_id) DO UPDATE
      SET run_id = EXCLUDED.run_id, file_no = EXCLUDED.file_no, seq = EXCLUDED.seq, status = 'PLANNED',
          template_name = EXCLUDED.template_name, template_version = EXCLUDED.template_version, language = NULL, large_print = NULL,
          first_page = NULL, pages = NULL, reason = NULL, produced_at = NULL
      WHERE o.status = 'FAILED';
    GET DIAGNOSTICS v_count = ROW_COUNT;
    IF v_count = 0 THEN
      RETURN jsonb_build_object('fileNo', NULL, 'letters', '[]'::jsonb, 'templates', '[]'::jsonb);
    END IF;
  END IF;
  IF ims.is_application_user() THEN
    INSERT INTO audit.record_view (person_id, purpose)
    SELECT DISTINCT o.person_id, 'Letter production' FROM ims.letter_output o WHERE o.run_id = r.id AND o.file_no = v_file;
  END IF;
  RETURN jsonb_build_object(
    'fileNo', v_file,
    'letters', (SELECT jsonb_agg(jsonb_build_object('communicationId', o.communication_id, 'reference', m.reference, 'seq', o.seq,
                                   'purpose', m.purpose, 'templateName', o.template_name, 'templateVersion', o.template_version,
                                   'person', ims.letter_person(o.person_id, m.booking_id, m.recall_id) || ims.letter_school(m.school_child_id))
                                 ORDER BY o.seq)
                FROM ims.letter_output o JOIN ims.communication m ON m.id = o.communication_id
                WHERE o.run_id = r.id AND o.file_no = v_file),
    'templates', coalesce((SELECT jsonb_agg(ims.message_template_json(t) || jsonb_build_object('inUse', true))
                           FROM ims.message_template t
                           WHERE t.campaign_id IS NOT DISTINCT FROM r.campaign_id
                             AND (t.name, t.version) IN (SELECT o.template_name, o.template_version FROM ims.letter_output o
                                                         WHERE o.run_id = r.id AND o.file_no = v_file)), '[]'::jsonb));
END
$$;

CREATE OR REPLACE FUNCTION api.letter_run_summary(p_run_id bigint) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  r ims.letter_run := ims.letter_run_for(p_run_id);
BEGIN
  RETURN jsonb_build_object(
    'runId', r.id, 'campaignCode', coalesce((SELECT k.code FROM ims.campaign k WHERE k.id = r.campaign_id), 'child-health'), 'layout', r.layout,
    'perFile', r.per_file, 'status', r.status, 'startedBy', r.started_by, 'startedAt', r.started_at, 'finishedAt', r.finished_at,
    'produced', (SELECT count(*) FROM ims.letter_output o WHERE o.run_id = r.id AND o.status = 'PRODUCED'),
    'failed', (SELECT count(*) FROM ims.letter_output o WHERE o.run_id = r.id AND o.status = 'FAILED'),
    'remaining', CASE WHEN r.status = 'RUNNING' THEN ims.letter_run_remaining(r) ELSE 0 END,
    'files', coalesce((SELECT jsonb_agg(jsonb_build_object('fileNo', f.file_no, 'letters', f.letters, 'pages', f.pages) ORDER BY f.file_no)
                       FROM (SELECT o.file_no, count(*) FILTER (WHERE o.status = 'PRODUCED') AS letters, coalesce(sum(o.pages), 0) AS pages
                             FROM ims.letter_output o WHERE o.run_id = r.id AND o.status <> 'PLANNED' GROUP BY o.file_no) f), '[]'),
    'failures', coalesce((SELECT jsonb_agg(jsonb_build_object('communicationId', o.communication_id, 'personId', o.person_id,
                                             'nhsNumber', p.nhs_number, 'reason', o.reason) ORDER BY o.file_no, o.seq)
                          FROM (SELECT * FROM ims.letter_output o WHERE o.run_id = r.id AND o.status = 'FAILED' ORDER BY o.file_no, o.seq LIMIT 500) o
                          JOIN ims.person p ON p.id = o.person_id), '[]'));
END
$$;

-- The runs of a campaign, or with p_campaign null the runs of no campaign, newest first.
CREATE OR REPLACE FUNCTION api.letter_runs(p_campaign text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c ims.campaign := ims.sending_campaign(p_campaign);
BEGIN
  RETURN coalesce((SELECT jsonb_agg(jsonb_build_object('runId', r.id, 'campaignCode', coalesce(c.code, 'child-health'), 'layout', r.layout,
                     'perFile', r.per_file, 'status', r.status, 'startedBy', r.started_by, 'startedAt', r.started_at, 'finishedAt', r.finished_at,
                     'produced', (SELECT count(*) FROM ims.letter_output o WHERE o.run_id = r.id AND o.status = 'PRODUCED'),
                     'failed', (SELECT count(*) FROM ims.letter_output o WHERE o.run_id = r.id AND o.status = 'FAILED'),
                     'remaining', CASE WHEN r.status = 'RUNNING' THEN ims.letter_run_remaining(r) ELSE 0 END,
                     'files', '[]'::jsonb, 'failures', '[]'::jsonb) ORDER BY r.id DESC)
                   FROM ims.letter_run r WHERE r.campaign_id IS NOT DISTINCT FROM c.id), '[]');
END
$$;

-- ---------------------------------------------------------------------------------------
-- The daily run's consent reminders: for whoever runs school sessions, every session within the
-- reminder days in their scope (api.school_consent_reminders_run); null for anyone else, whose
-- daily run is a campaign's only.
CREATE FUNCTION api.daily_consent_reminders(p_today date, p_days_before integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT ims.may_run_school_sessions() THEN
    RETURN NULL;
  END IF;
  RETURN api.school_consent_reminders_run(NULL, p_today, p_days_before);
END
$$;

-- ---------------------------------------------------------------------------------------
-- Who may call what.

REVOKE EXECUTE ON FUNCTION api.communication_claim(text, text[], integer, integer, date),
  api.communication_export(text, bigint, text, text, date, boolean), api.standing_templates(),
  api.standing_template_save(text, text, text, text, text, jsonb, integer, boolean), api.child_health_contact(),
  api.child_health_contact_save(text, text, text), api.daily_consent_reminders(date, integer)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.communication_claim(text, text[], integer, integer, date),
  api.communication_export(text, bigint, text, text, date, boolean)
  TO ims_administrator, ims_coordinator, ims_child_health;
-- The rest of the sender's and the letter runs' functions, for child health staff too (each
-- checks that a child health user names no campaign, or a campaign they may run).
GRANT EXECUTE ON FUNCTION api.communication_sent(bigint, text, text), api.communication_refused(bigint, text),
  api.communication_release(bigint, text, integer), api.communication_delivery(uuid, text, text, text),
  api.communications_to_poll(text, integer),
  api.letter_run_open(text, text, integer, text, date, boolean), api.letter_run_next_file(bigint, integer[]),
  api.letter_run_file_done(bigint, integer, jsonb), api.letter_run_finish(bigint, boolean), api.letter_run_summary(bigint),
  api.letter_runs(text), api.standing_templates(), api.standing_template_save(text, text, text, text, text, jsonb, integer, boolean),
  api.child_health_contact()
  TO ims_child_health;
GRANT EXECUTE ON FUNCTION api.standing_templates(), api.standing_template_save(text, text, text, text, text, jsonb, integer, boolean),
  api.child_health_contact(), api.child_health_contact_save(text, text, text)
  TO ims_administrator;
GRANT EXECUTE ON FUNCTION api.daily_consent_reminders(date, integer) TO ims_administrator, ims_coordinator, ims_child_health;
