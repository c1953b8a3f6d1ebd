-- Vaccination records: antigens, programmes, vaccine products and batches (reference data),
-- the vaccination event itself, and adverse reactions following immunisation.
--
-- Clinical rows are never deleted or edited in place. A correction inserts a new event that
-- supersedes the old one (which becomes SUPERSEDED); a mistaken entry is marked
-- ENTERED_IN_ERROR. Both are audited, so the full history of what was believed and when
-- survives.

-- ---------------------------------------------------------------------------------------
-- Antigens: the vocabulary the schedule rules use (resources/schedule/*.json).

CREATE TABLE ims.antigen (
  code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9]*$'),
  name text NOT NULL
);
INSERT INTO ims.antigen (code, name) VALUES
  ('DIPHTHERIA', 'Diphtheria'),
  ('TETANUS', 'Tetanus'),
  ('PERTUSSIS', 'Pertussis (whooping cough)'),
  ('POLIO', 'Polio'),
  ('HIB', 'Haemophilus influenzae type b'),
  ('HEPB', 'Hepatitis B'),
  ('MENB', 'Meningococcal group B'),
  ('ROTAVIRUS', 'Rotavirus'),
  ('PCV', 'Pneumococcal (conjugate)'),
  ('MENC', 'Meningococcal group C'),
  ('MENACWY', 'Meningococcal groups A, C, W and Y'),
  ('MEASLES', 'Measles'),
  ('MUMPS', 'Mumps'),
  ('RUBELLA', 'Rubella'),
  ('VARICELLA', 'Varicella (chickenpox)'),
  ('HPV', 'Human papillomavirus'),
  ('INFLUENZA', 'Influenza'),
  ('COVID19', 'COVID-19'),
  ('PPV23', 'Pneumococcal (polysaccharide, 23-valent)'),
  ('SHINGLES', 'Shingles (herpes zoster)'),
  ('RSV', 'Respiratory syncytial virus'),
  ('BCG', 'Tuberculosis (BCG)');

-- ---------------------------------------------------------------------------------------
-- Programmes. Seasonal campaigns are separate rows with their own dates, because
-- eligibility and products change every season.

CREATE TABLE ims.programme (
  code       text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]*$'),
  name       text NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('ROUTINE_CHILDHOOD', 'SCHOOL_AGED', 'ADULT', 'SEASONAL_FLU', 'COVID19', 'STAFF')),
  campaign   text,                         -- season or campaign label, e.g. '2025-26', 'Autumn 2025'
  start_date date,
  end_date   date,
  active     boolean NOT NULL DEFAULT true,
  CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date),
  -- Seasonal programmes are always one season or campaign.
  CHECK (kind NOT IN ('SEASONAL_FLU', 'COVID19') OR (campaign IS NOT NULL AND start_date IS NOT NULL))
);
-- Campaign end dates follow the 2025-26 programme letters; check each season and adjust
-- with a new migration rather than editing this file.
INSERT INTO ims.programme (code, name, kind, campaign, start_date, end_date) VALUES
  ('ROUTINE_CHILDHOOD', 'Routine childhood immunisation', 'ROUTINE_CHILDHOOD', NULL, NULL, NULL),
  ('SCHOOL_AGED', 'School-aged immunisation', 'SCHOOL_AGED', NULL, NULL, NULL),
  ('ADULT', 'Adult immunisation (pneumococcal, shingles, RSV, pertussis in pregnancy)', 'ADULT', NULL, NULL, NULL),
  ('FLU_2025_26', 'Seasonal flu 2025-26', 'SEASONAL_FLU', '2025-26', '2025-09-01', '2026-03-31'),
  ('COVID19_AUTUMN_2025', 'COVID-19 autumn 2025', 'COVID19', 'Autumn 2025', '2025-10-01', '2026-01-31'),
  ('COVID19_SPRING_2026', 'COVID-19 spring 2026', 'COVID19', 'Spring 2026', '2026-04-13', '2026-06-30'),
  ('STAFF', 'Health and social care staff immunisation', 'STAFF', NULL, NULL, NULL);

-- ---------------------------------------------------------------------------------------
-- Vaccine products, keyed by dm+d code (SNOMED CT UK drug extension).
--
-- code_status says how far a code can be trusted:
--   CONFIRMED  the code used in production by NHS England's national vaccination services;
--   TO_CHECK   a real-looking dm+d code taken from NHS test fixtures: verify against the
--              current dm+d release before submitting records that carry it;
--   LOCAL      no dm+d code known to us yet: a local placeholder ('LOCAL-...') that is never
--              a valid dm+d code, so exports can refuse it rather than send a wrong code.
CREATE TABLE ims.vaccine_product (
  code                text PRIMARY KEY CHECK (code ~ '^[0-9]{6,18}$' OR code ~ '^LOCAL-[A-Z0-9-]+$'),
  code_status         text NOT NULL CHECK (code_status IN ('CONFIRMED', 'TO_CHECK', 'LOCAL')),
  name                text NOT NULL,          -- dm+d description where known
  short_name          text NOT NULL,          -- what staff call it: 'Infanrix hexa'
  manufacturer        text NOT NULL,
  vaccine_type        text NOT NULL,          -- '6-in-1', 'MMRV', 'Flu (LAIV)', ...
  default_route_code  text NOT NULL,          -- SNOMED CT route
  default_route_term  text NOT NULL,
  default_dose_amount numeric(7, 3) CHECK (default_dose_amount > 0),
  dose_unit_code      text,                   -- SNOMED CT unit
  dose_unit_term      text,
  active              boolean NOT NULL DEFAULT true,
  CHECK ((code_status = 'LOCAL') = (code LIKE 'LOCAL-%')),
  CHECK ((dose_unit_code IS NULL) = (dose_unit_term IS NULL)),
  CHECK (default_dose_amount IS NULL OR dose_unit_code IS NOT NULL)
);

-- Which antigens a product protects against: MMRV counts as measles, mumps, rubella and
-- varicella, so uptake and schedule checks work per antigen whatever product was used.
CREATE TABLE ims.product_antigen (
  product_code text NOT NULL REFERENCES ims.vaccine_product (code) ON UPDATE CASCADE,
  antigen_code text NOT NULL REFERENCES ims.antigen (code),
  PRIMARY KEY (product_code, antigen_code)
);
CREATE INDEX product_antigen_antigen_idx ON ims.product_antigen (antigen_code);

-- SNOMED CT vaccination procedure codes for a product, per dose: DOSE_1, DOSE_2, or OTHER
-- (any dose without a more specific code). Only codes we are sure of are seeded; a product
-- without a row here needs its procedure code chosen before export.
CREATE TABLE ims.product_procedure (
  product_code text NOT NULL REFERENCES ims.vaccine_product (code) ON UPDATE CASCADE,
  applies_to   text NOT NULL CHECK (applies_to IN ('DOSE_1', 'DOSE_2', 'OTHER')),
  code         text NOT NULL CHECK (code ~ '^[0-9]{6,18}$'),
  term         text NOT NULL,
  PRIMARY KEY (product_code, applies_to)
);

-- SNOMED CT qualifiers used below.
--   routes: 78421000 intramuscular, 34206005 subcutaneous, 46713006 nasal, 26643006 oral,
--           372464004 intradermal; unit: 258773002 millilitre.
INSERT INTO ims.vaccine_product (code, code_status, name, short_name, manufacturer, vaccine_type,
  default_route_code, default_route_term, default_dose_amount, dose_unit_code, dose_unit_term) VALUES
  -- Infant primary course and boosters (TO_CHECK: codes from NHS test fixtures).
  ('34765811000001105', 'TO_CHECK', 'Infanrix hexa vaccine powder and suspension for suspension for injection 0.5ml pre-filled syringes (GlaxoSmithKline UK Ltd)',
     'Infanrix hexa', 'GlaxoSmithKline UK Ltd', '6-in-1', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('39367111000001105', 'TO_CHECK', 'Vaxelis vaccine suspension for injection 0.5ml pre-filled syringes (Sanofi)',
     'Vaxelis', 'Sanofi', '6-in-1', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('23584211000001109', 'TO_CHECK', 'Bexsero vaccine suspension for injection 0.5ml pre-filled syringes (GlaxoSmithKline UK Ltd)',
     'Bexsero', 'GlaxoSmithKline UK Ltd', 'MenB', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('34609911000001106', 'TO_CHECK', 'Rotarix vaccine live oral suspension 1.5ml tube (GlaxoSmithKline UK Ltd)',
     'Rotarix', 'GlaxoSmithKline UK Ltd', 'Rotavirus', '26643006', 'Oral route', 1.5, '258773002', 'Millilitre'),
  ('16649411000001104', 'TO_CHECK', 'Prevenar 13 vaccine suspension for injection 0.5ml pre-filled syringes (Pfizer Ltd)',
     'Prevenar 13', 'Pfizer Ltd', 'PCV', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  -- LOCAL: dm+d code not known to us.
  ('LOCAL-VAXNEUVANCE', 'LOCAL', 'Vaxneuvance suspension for injection 0.5ml pre-filled syringes (Merck Sharp & Dohme (UK) Ltd)',
     'Vaxneuvance', 'Merck Sharp & Dohme (UK) Ltd', 'PCV', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('9903711000001109', 'TO_CHECK', 'Menitorix powder and solvent for solution for injection 0.5ml vials (GlaxoSmithKline UK Ltd)',
     'Menitorix', 'GlaxoSmithKline UK Ltd', 'Hib/MenC', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  -- MMR and MMRV (CONFIRMED).
  ('34925111000001104', 'CONFIRMED', 'Priorix vaccine powder and solvent for solution for injection 0.5ml pre-filled syringes (GlaxoSmithKline UK Ltd)',
     'Priorix', 'GlaxoSmithKline UK Ltd', 'MMR', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('13968211000001108', 'CONFIRMED', 'M-M-RVAXPRO vaccine powder and solvent for suspension for injection 0.5ml pre-filled syringes (Merck Sharp & Dohme (UK) Ltd)',
     'MMRvaxPRO', 'Merck Sharp & Dohme (UK) Ltd', 'MMR', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('45480711000001107', 'CONFIRMED', 'ProQuad vaccine powder and solvent for suspension for injection 0.5ml pre-filled syringes (Merck Sharp & Dohme (UK) Ltd)',
     'ProQuad', 'Merck Sharp & Dohme (UK) Ltd', 'MMRV', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('45525711000001102', 'CONFIRMED', 'Priorix Tetra vaccine powder and solvent for solution for injection 0.5ml pre-filled syringes (GlaxoSmithKline UK Ltd)',
     'Priorix-Tetra', 'GlaxoSmithKline UK Ltd', 'MMRV', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  -- Pre-school and teenage boosters.
  ('26267211000001100', 'TO_CHECK', 'Boostrix-IPV suspension for injection 0.5ml pre-filled syringes (GlaxoSmithKline UK Ltd)',
     'Boostrix-IPV', 'GlaxoSmithKline UK Ltd', '4-in-1', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('LOCAL-REPEVAX', 'LOCAL', 'Repevax vaccine suspension for injection 0.5ml pre-filled syringes (Sanofi)',
     'Repevax', 'Sanofi', '4-in-1', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('7374511000001107', 'CONFIRMED', 'Revaxis vaccine suspension for injection 0.5ml pre-filled syringes (Sanofi)',
     'Revaxis', 'Sanofi', 'Td/IPV (3-in-1)', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  -- HPV and MenACWY (CONFIRMED).
  ('33493111000001108', 'CONFIRMED', 'Gardasil 9 vaccine suspension for injection 0.5ml pre-filled syringes (Merck Sharp & Dohme (UK) Ltd)',
     'Gardasil 9', 'Merck Sharp & Dohme (UK) Ltd', 'HPV', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('20517811000001104', 'CONFIRMED', 'Nimenrix vaccine powder and solvent for solution for injection 0.5ml pre-filled syringes (Pfizer Ltd)',
     'Nimenrix', 'Pfizer Ltd', 'MenACWY', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('39779611000001104', 'CONFIRMED', 'MenQuadfi vaccine solution for injection 0.5ml vials (Sanofi)',
     'MenQuadfi', 'Sanofi', 'MenACWY', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('17188711000001105', 'CONFIRMED', 'Menveo vaccine powder and solvent for solution for injection 0.5ml vials (GlaxoSmithKline UK Ltd)',
     'Menveo', 'GlaxoSmithKline UK Ltd', 'MenACWY', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  -- Flu 2025-26.
  ('43208811000001106', 'CONFIRMED', 'Fluenz (trivalent) vaccine nasal suspension 0.2ml unit dose (AstraZeneca UK Ltd)',
     'Fluenz', 'AstraZeneca UK Ltd', 'Flu (LAIV)', '46713006', 'Nasal route', 0.2, '258773002', 'Millilitre'),
  ('43207411000001105', 'CONFIRMED', 'Cell-based trivalent influenza vaccine (surface antigen, inactivated) suspension for injection 0.5ml pre-filled syringes (Seqirus UK Ltd)',
     'Cell-based trivalent flu (Seqirus)', 'Seqirus UK Ltd', 'Flu (cell-based, inactivated)', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('45175511000001104', 'CONFIRMED', 'Vaxigrip Trivalent influenza vaccine (split virion, inactivated) suspension for injection 0.5ml pre-filled syringes (Sanofi)',
     'Vaxigrip (trivalent)', 'Sanofi', 'Flu (egg-based, inactivated)', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('45354911000001100', 'CONFIRMED', 'Influenza TIV MYL vaccine suspension for injection 0.5ml pre-filled syringes (Viatris UK Healthcare Ltd)',
     'Trivalent flu (Viatris)', 'Viatris UK Healthcare Ltd', 'Flu (egg-based, inactivated)', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  -- TO_CHECK: the adjuvanted product code may belong to an earlier season's presentation.
  ('37547211000001103', 'TO_CHECK', 'Adjuvanted trivalent influenza vaccine (surface antigen, inactivated) suspension for injection 0.5ml pre-filled syringes (Seqirus UK Ltd)',
     'Adjuvanted trivalent flu (aTIV)', 'Seqirus UK Ltd', 'Flu (adjuvanted, inactivated)', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  -- COVID-19: the JN.1 presentations (TO_CHECK); later variants (LP.8.1) have no code here yet.
  ('43111411000001101', 'TO_CHECK', 'Comirnaty JN.1 COVID-19 mRNA Vaccine 30micrograms/0.3ml dose dispersion for injection multidose vials (Pfizer Ltd)',
     'Comirnaty JN.1 30 micrograms', 'Pfizer Ltd', 'COVID-19 (mRNA)', '78421000', 'Intramuscular route', 0.3, '258773002', 'Millilitre'),
  ('43112711000001100', 'TO_CHECK', 'Comirnaty JN.1 Children 5-11 years COVID-19 mRNA Vaccine 10micrograms/0.3ml dose dispersion for injection single dose vials (Pfizer Ltd)',
     'Comirnaty JN.1 10 micrograms (5-11 years)', 'Pfizer Ltd', 'COVID-19 (mRNA)', '78421000', 'Intramuscular route', 0.3, '258773002', 'Millilitre'),
  ('43113211000001101', 'TO_CHECK', 'Comirnaty JN.1 Children 6 months - 4 years COVID-19 mRNA Vaccine 3micrograms/0.3ml dose concentrate for dispersion for injection multidose vials (Pfizer Ltd)',
     'Comirnaty JN.1 3 micrograms (6 months-4 years)', 'Pfizer Ltd', 'COVID-19 (mRNA)', '78421000', 'Intramuscular route', 0.3, '258773002', 'Millilitre'),
  ('42985911000001104', 'TO_CHECK', 'Spikevax JN.1 COVID-19 mRNA Vaccine 0.1mg/ml dispersion for injection multidose vials (Moderna, Inc)',
     'Spikevax JN.1', 'Moderna, Inc', 'COVID-19 (mRNA)', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('LOCAL-COMIRNATY-LP81', 'LOCAL', 'Comirnaty LP.8.1 COVID-19 mRNA Vaccine 30micrograms/0.3ml dose dispersion for injection (Pfizer Ltd)',
     'Comirnaty LP.8.1 30 micrograms', 'Pfizer Ltd', 'COVID-19 (mRNA)', '78421000', 'Intramuscular route', 0.3, '258773002', 'Millilitre'),
  -- Adults.
  ('LOCAL-PNEUMOVAX23', 'LOCAL', 'Pneumovax 23 solution for injection 0.5ml pre-filled syringes (Merck Sharp & Dohme (UK) Ltd)',
     'Pneumovax 23', 'Merck Sharp & Dohme (UK) Ltd', 'PPV23', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('39655511000001105', 'TO_CHECK', 'Shingrix (Herpes Zoster) adjuvanted recombinant vaccine powder and suspension for suspension for injection 0.5ml vials (GlaxoSmithKline UK Ltd)',
     'Shingrix', 'GlaxoSmithKline UK Ltd', 'Shingles', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('42605811000001109', 'TO_CHECK', 'Abrysvo vaccine powder and solvent for solution for injection 0.5ml vials (Pfizer Ltd)',
     'Abrysvo', 'Pfizer Ltd', 'RSV', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('42223111000001107', 'TO_CHECK', 'Arexvy vaccine powder and suspension for suspension for injection 0.5ml vials (GlaxoSmithKline UK Ltd)',
     'Arexvy', 'GlaxoSmithKline UK Ltd', 'RSV', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  -- Hepatitis B and BCG (occupational health, selective neonatal programmes).
  ('LOCAL-ENGERIXB-ADULT', 'LOCAL', 'Engerix B 20micrograms/1ml suspension for injection pre-filled syringes (GlaxoSmithKline UK Ltd)',
     'Engerix B (adult)', 'GlaxoSmithKline UK Ltd', 'Hepatitis B', '78421000', 'Intramuscular route', 1.0, '258773002', 'Millilitre'),
  ('LOCAL-ENGERIXB-PAED', 'LOCAL', 'Engerix B 10micrograms/0.5ml suspension for injection pre-filled syringes (GlaxoSmithKline UK Ltd)',
     'Engerix B (paediatric)', 'GlaxoSmithKline UK Ltd', 'Hepatitis B', '78421000', 'Intramuscular route', 0.5, '258773002', 'Millilitre'),
  ('10752011000001102', 'TO_CHECK', 'HBVAXPRO 10micrograms/1ml vaccine suspension for injection pre-filled syringes (Merck Sharp & Dohme (UK) Ltd)',
     'HBVAXPRO 10 micrograms', 'Merck Sharp & Dohme (UK) Ltd', 'Hepatitis B', '78421000', 'Intramuscular route', 1.0, '258773002', 'Millilitre'),
  -- BCG dose depends on age (0.05 ml under 12 months, 0.1 ml otherwise): no default amount.
  ('37240111000001101', 'TO_CHECK', 'BCG Vaccine AJV powder for suspension for injection 1ml vials (AJ Vaccines)',
     'BCG Vaccine AJV', 'AJ Vaccines', 'BCG', '372464004', 'Intradermal use', NULL, '258773002', 'Millilitre');

INSERT INTO ims.product_antigen (product_code, antigen_code)
SELECT p.code, a.antigen
FROM ims.vaccine_product p
JOIN (VALUES
  ('6-in-1', ARRAY['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO', 'HIB', 'HEPB']),
  ('4-in-1', ARRAY['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO']),
  ('Td/IPV (3-in-1)', ARRAY['DIPHTHERIA', 'TETANUS', 'POLIO']),
  ('MenB', ARRAY['MENB']),
  ('Rotavirus', ARRAY['ROTAVIRUS']),
  ('PCV', ARRAY['PCV']),
  ('Hib/MenC', ARRAY['HIB', 'MENC']),
  ('MMR', ARRAY['MEASLES', 'MUMPS', 'RUBELLA']),
  ('MMRV', ARRAY['MEASLES', 'MUMPS', 'RUBELLA', 'VARICELLA']),
  ('HPV', ARRAY['HPV']),
  ('MenACWY', ARRAY['MENACWY']),
  ('Flu (LAIV)', ARRAY['INFLUENZA']),
  ('Flu (cell-based, inactivated)', ARRAY['INFLUENZA']),
  ('Flu (egg-based, inactivated)', ARRAY['INFLUENZA']),
  ('Flu (adjuvanted, inactivated)', ARRAY['INFLUENZA']),
  ('COVID-19 (mRNA)', ARRAY['COVID19']),
  ('PPV23', ARRAY['PPV23']),
  ('Shingles', ARRAY['SHINGLES']),
  ('RSV', ARRAY['RSV']),
  ('Hepatitis B', ARRAY['HEPB']),
  ('BCG', ARRAY['BCG'])
) AS t(vaccine_type, antigens) ON t.vaccine_type = p.vaccine_type
CROSS JOIN LATERAL unnest(t.antigens) AS a(antigen);

-- Procedure codes from the national vaccination data standards.
INSERT INTO ims.product_procedure (product_code, applies_to, code, term)
SELECT p.code, x.applies_to, x.code, x.term
FROM ims.vaccine_product p
JOIN (VALUES
  ('Flu (LAIV)', 'DOSE_1', '884861000000100', 'Administration of first intranasal seasonal influenza vaccination'),
  ('Flu (LAIV)', 'DOSE_2', '884881000000109', 'Administration of second intranasal seasonal influenza vaccination'),
  ('Flu (cell-based, inactivated)', 'DOSE_1', '985151000000100', 'Administration of first inactivated seasonal influenza vaccination'),
  ('Flu (cell-based, inactivated)', 'DOSE_2', '985171000000109', 'Administration of second inactivated seasonal influenza vaccination'),
  ('Flu (egg-based, inactivated)', 'DOSE_1', '985151000000100', 'Administration of first inactivated seasonal influenza vaccination'),
  ('Flu (egg-based, inactivated)', 'DOSE_2', '985171000000109', 'Administration of second inactivated seasonal influenza vaccination'),
  ('Flu (adjuvanted, inactivated)', 'DOSE_1', '985151000000100', 'Administration of first inactivated seasonal influenza vaccination'),
  ('Flu (adjuvanted, inactivated)', 'DOSE_2', '985171000000109', 'Administration of second inactivated seasonal influenza vaccination'),
  ('HPV', 'OTHER', '761841000', 'Administration of vaccine product containing only Human papillomavirus antigen'),
  ('MenACWY', 'OTHER', '871874000', 'Administration of vaccine product containing only Neisseria meningitidis serogroup A, C, W135 and Y antigens'),
  ('MMR', 'DOSE_1', '38598009', 'Administration of vaccine product containing only Measles morbillivirus and Mumps orthorubulavirus and Rubella virus antigens'),
  ('MMR', 'DOSE_2', '170433008', 'Administration of second dose of vaccine product containing only Measles morbillivirus and Mumps orthorubulavirus and Rubella virus antigens'),
  ('MMRV', 'DOSE_1', '432636005', 'Administration of vaccine product containing only Human alphaherpesvirus 3 and Measles morbillivirus and Mumps orthorubulavirus and Rubella virus antigens'),
  ('MMRV', 'DOSE_2', '433733003', 'Administration of second dose of vaccine product containing only Human alphaherpesvirus 3 and Measles morbillivirus and Mumps orthorubulavirus and Rubella virus antigens'),
  ('Td/IPV (3-in-1)', 'OTHER', '414619005', 'Administration of vaccine product containing only Clostridium tetani and low dose Corynebacterium diphtheriae and inactivated Human poliovirus antigens'),
  ('RSV', 'OTHER', '1303503001', 'Administration of vaccine product containing only Human orthopneumovirus antigen')
) AS x(vaccine_type, applies_to, code, term) ON x.vaccine_type = p.vaccine_type;

-- ---------------------------------------------------------------------------------------
-- Batches (lots) of a product. A batch number is unique within its product.

CREATE TABLE ims.batch (
  id                bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  product_code      text NOT NULL REFERENCES ims.vaccine_product (code) ON UPDATE CASCADE,
  batch_number      text NOT NULL CHECK (batch_number ~ '^[^[:space:]]([^\r\n\t]{0,98}[^[:space:]])?$'),
  expiry_date       date NOT NULL,
  organisation_code text REFERENCES ims.organisation (code),
  received_on       date,
  created_by        text NOT NULL DEFAULT session_user,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (product_code, batch_number),
  UNIQUE (id, product_code) -- target of the event's (batch_id, product_code) reference
);
CREATE INDEX batch_product_idx ON ims.batch (product_code, expiry_date);

-- ---------------------------------------------------------------------------------------
-- Vaccination events: a dose given, or a planned dose not given and why.

CREATE TABLE ims.vaccination_event (
  id                bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  -- No cascade: clinical history is never deleted with the person.
  person_id         bigint NOT NULL REFERENCES ims.person (id),
  programme_code    text NOT NULL REFERENCES ims.programme (code),
  outcome           text NOT NULL CHECK (outcome IN ('GIVEN', 'NOT_GIVEN')),
  not_given_reason  text CHECK (not_given_reason IN ('DECLINED', 'CONTRAINDICATED', 'UNWELL', 'ABSENT', 'ALREADY_GIVEN')),
  -- occurred_on is the clinical date (England); occurred_at is the moment when known.
  -- Historical records reported from elsewhere often have a date only.
  occurred_at       timestamptz,
  occurred_on       date NOT NULL,
  dose_sequence     smallint CHECK (dose_sequence BETWEEN 1 AND 20),
  product_code      text REFERENCES ims.vaccine_product (code) ON UPDATE CASCADE,
  batch_id          bigint,
  batch_number      text,                   -- as recorded, copied from the batch when linked
  expiry_date       date,
  site_code         text,                   -- SNOMED CT body structure
  site_term         text,
  route_code        text,                   -- SNOMED CT route
  route_term        text,
  dose_amount       numeric(7, 3) CHECK (dose_amount > 0),
  dose_unit_code    text,
  dose_unit_term    text,
  performer_name    text,
  performer_role    text,                   -- professional role, e.g. 'Registered nurse'
  location_code     text,
  location_type     text CHECK (location_type IN ('ODS', 'URN')),
  organisation_code text REFERENCES ims.organisation (code),
  legal_basis       text CHECK (legal_basis IN ('PGD', 'PSD', 'NATIONAL_PROTOCOL', 'OTHER')),
  -- true: given by this service; false: reported (another system, parent-held record).
  primary_source    boolean NOT NULL,
  -- The originating system's identity for the event. Corrections keep it, so a correction
  -- is sent onwards as an update of the same event.
  source_system     text NOT NULL DEFAULT 'IMS' CHECK (length(source_system) BETWEEN 1 AND 200),
  source_id         text NOT NULL DEFAULT gen_random_uuid()::text CHECK (length(source_id) BETWEEN 1 AND 200),
  notes             text,
  recorded_by       text NOT NULL DEFAULT session_user,
  recorded_at       timestamptz NOT NULL DEFAULT now(),
  status            text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUPERSEDED', 'ENTERED_IN_ERROR')),
  supersedes_id     bigint UNIQUE REFERENCES ims.vaccination_event (id),
  change_reason     text,                   -- why this row corrects the one it supersedes
  status_reason     text,                   -- why this row was marked entered in error
  status_changed_by text,
  status_changed_at timestamptz,
  UNIQUE (id, person_id), -- target of adverse_reaction's (event, person) reference
  FOREIGN KEY (batch_id, product_code) REFERENCES ims.batch (id, product_code),
  CHECK ((outcome = 'NOT_GIVEN') = (not_given_reason IS NOT NULL)),
  CHECK (outcome = 'NOT_GIVEN' OR product_code IS NOT NULL),
  CHECK (outcome = 'GIVEN' OR (batch_id IS NULL AND batch_number IS NULL AND expiry_date IS NULL)),
  -- A dose given here carries its batch and expiry.
  CHECK (outcome = 'NOT_GIVEN' OR NOT primary_source OR (batch_number IS NOT NULL AND expiry_date IS NOT NULL)),
  CHECK (batch_id IS NULL OR batch_number IS NOT NULL),
  -- Expired vaccine is never recorded as given: the batch must be in date on the day.
  CHECK (expiry_date IS NULL OR expiry_date >= occurred_on),
  CHECK (occurred_at IS NULL OR (occurred_at AT TIME ZONE 'Europe/London')::date = occurred_on),
  CHECK ((site_code IS NULL) = (site_term IS NULL)),
  CHECK ((route_code IS NULL) = (route_term IS NULL)),
  CHECK ((dose_unit_code IS NULL) = (dose_unit_term IS NULL)),
  CHECK (dose_amount IS NULL OR dose_unit_code IS NOT NULL),
  CHECK ((location_code IS NULL) = (location_type IS NULL)),
  CHECK (supersedes_id IS NULL OR (supersedes_id <> id AND change_reason IS NOT NULL)),
  CHECK (status <> 'ENTERED_IN_ERROR' OR status_reason IS NOT NULL)
);
-- One live version per originating event: resending the same event is refused (and an
-- importer can use ON CONFLICT ... WHERE status <> 'SUPERSEDED' DO NOTHING), while a
-- correction may reuse the identity of the version it supersedes.
CREATE UNIQUE INDEX vaccination_event_source_key ON ims.vaccination_event (source_system, source_id)
  WHERE status <> 'SUPERSEDED';
CREATE INDEX vaccination_event_person_idx ON ims.vaccination_event (person_id, occurred_on DESC);
CREATE INDEX vaccination_event_product_idx ON ims.vaccination_event (product_code);
CREATE INDEX vaccination_event_date_idx ON ims.vaccination_event (occurred_on, programme_code) WHERE status = 'ACTIVE';
CREATE INDEX vaccination_event_batch_idx ON ims.vaccination_event (batch_id) WHERE batch_id IS NOT NULL;

-- Fills and checks what the database must own on insert: who recorded it and when, the
-- batch details from a linked batch, and the supersession of the corrected row.
CREATE FUNCTION ims.vaccination_event_before_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  b   record;
  old record;
BEGIN
  NEW.recorded_by := session_user;
  NEW.recorded_at := now();
  NEW.status := 'ACTIVE';
  NEW.status_reason := NULL;
  NEW.status_changed_by := NULL;
  NEW.status_changed_at := NULL;

  IF NEW.batch_id IS NOT NULL THEN
    SELECT batch_number, expiry_date INTO b FROM ims.batch WHERE id = NEW.batch_id;
    IF FOUND THEN
      IF NEW.batch_number IS NOT NULL AND NEW.batch_number <> b.batch_number THEN
        RAISE EXCEPTION 'Batch number % does not match the linked batch %.', NEW.batch_number, b.batch_number
          USING ERRCODE = 'check_violation', CONSTRAINT = 'vaccination_event_batch_matches';
      END IF;
      IF NEW.expiry_date IS NOT NULL AND NEW.expiry_date <> b.expiry_date THEN
        RAISE EXCEPTION 'Expiry date % does not match batch %, which expires on %.', NEW.expiry_date, b.batch_number, b.expiry_date
          USING ERRCODE = 'check_violation', CONSTRAINT = 'vaccination_event_batch_matches';
      END IF;
      NEW.batch_number := b.batch_number;
      NEW.expiry_date := b.expiry_date;
    END IF; -- a missing batch is reported by the foreign key
  END IF;

  IF NEW.supersedes_id IS NOT NULL THEN
    -- Lock the corrected row so two corrections cannot both supersede it.
    SELECT id, person_id, status INTO old FROM ims.vaccination_event WHERE id = NEW.supersedes_id FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'Vaccination event % does not exist or is not visible.', NEW.supersedes_id
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'vaccination_event_supersedes_id_fkey';
    END IF;
    IF old.person_id <> NEW.person_id THEN
      RAISE EXCEPTION 'A correction must be for the same person as the event it corrects.'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'vaccination_event_same_person';
    END IF;
    IF old.status <> 'ACTIVE' THEN
      RAISE EXCEPTION 'Vaccination event % is % and cannot be corrected.', old.id, lower(replace(old.status, '_', ' '))
        USING ERRCODE = 'check_violation', CONSTRAINT = 'vaccination_event_supersedes_active';
    END IF;
    -- Before the insert, so the new version can take over the event's source identity.
    UPDATE ims.vaccination_event
       SET status = 'SUPERSEDED', status_changed_by = session_user, status_changed_at = now()
     WHERE id = old.id;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER vaccination_event_before_insert BEFORE INSERT ON ims.vaccination_event
  FOR EACH ROW EXECUTE FUNCTION ims.vaccination_event_before_insert();

-- Recorded facts are immutable: only the status may move on, ACTIVE to SUPERSEDED or
-- ENTERED_IN_ERROR, once. Applies to every role, the owner included. The one exception is
-- a product code replaced in ims.vaccine_product (a LOCAL placeholder given its dm+d code),
-- which reaches here through the foreign key's cascade, i.e. from inside another trigger.
CREATE FUNCTION ims.vaccination_event_before_update() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_mutable text[] := ARRAY['status', 'status_reason', 'status_changed_by', 'status_changed_at'];
BEGIN
  IF pg_trigger_depth() > 1 THEN
    v_mutable := array_append(v_mutable, 'product_code');
  END IF;
  IF (to_jsonb(NEW) - v_mutable) IS DISTINCT FROM (to_jsonb(OLD) - v_mutable) THEN
    RAISE EXCEPTION 'A recorded vaccination cannot be edited; record a correction instead.'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'vaccination_event_immutable';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    IF OLD.status <> 'ACTIVE' THEN
      RAISE EXCEPTION 'Vaccination event % is already % and cannot change.', OLD.id, lower(replace(OLD.status, '_', ' '))
        USING ERRCODE = 'check_violation', CONSTRAINT = 'vaccination_event_status_final';
    END IF;
    NEW.status_changed_by := session_user;
    NEW.status_changed_at := now();
  ELSIF NEW.status_reason IS DISTINCT FROM OLD.status_reason THEN
    RAISE EXCEPTION 'The reason for a status change cannot be edited afterwards.'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'vaccination_event_immutable';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER vaccination_event_before_update BEFORE UPDATE ON ims.vaccination_event
  FOR EACH ROW EXECUTE FUNCTION ims.vaccination_event_before_update();

CREATE FUNCTION ims.refuse_clinical_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'Clinical records are never deleted (% on %.%); mark them entered in error instead.', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER vaccination_event_no_delete BEFORE DELETE OR TRUNCATE ON ims.vaccination_event
  FOR EACH STATEMENT EXECUTE FUNCTION ims.refuse_clinical_delete();

-- ---------------------------------------------------------------------------------------
-- Adverse events following immunisation.

CREATE TABLE ims.adverse_reaction (
  id                    bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  person_id             bigint NOT NULL,
  vaccination_event_id  bigint NOT NULL,
  onset_at              timestamptz NOT NULL,
  reaction_code         text NOT NULL CHECK (reaction_code IN ('LOCAL_REACTION', 'FEVER', 'ANAPHYLAXIS', 'SYNCOPE', 'SEIZURE', 'RASH', 'HYPOTONIC_HYPORESPONSIVE', 'OTHER')),
  description           text,
  seriousness           text NOT NULL CHECK (seriousness IN ('NOT_SERIOUS', 'HOSPITALISED', 'LIFE_THREATENING', 'FATAL', 'DISABILITY')),
  outcome               text NOT NULL CHECK (outcome IN ('RECOVERED', 'RECOVERING', 'NOT_RECOVERED', 'RECOVERED_WITH_SEQUELAE', 'FATAL', 'UNKNOWN')),
  reporter              text NOT NULL CHECK (length(btrim(reporter)) > 0),
  yellow_card_reference text,
  reported_to_mhra      boolean NOT NULL DEFAULT false,
  recorded_by           text NOT NULL DEFAULT session_user,
  recorded_at           timestamptz NOT NULL DEFAULT now(),
  -- The reaction's person is the event's person.
  FOREIGN KEY (vaccination_event_id, person_id) REFERENCES ims.vaccination_event (id, person_id),
  CHECK (reaction_code <> 'OTHER' OR length(btrim(coalesce(description, ''))) > 0),
  CHECK (yellow_card_reference IS NULL OR reported_to_mhra),
  CHECK ((seriousness = 'FATAL') = (outcome = 'FATAL'))
);
CREATE INDEX adverse_reaction_event_idx ON ims.adverse_reaction (vaccination_event_id);
CREATE INDEX adverse_reaction_person_idx ON ims.adverse_reaction (person_id, onset_at DESC);

CREATE FUNCTION ims.adverse_reaction_before_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  e record;
BEGIN
  NEW.recorded_by := session_user;
  NEW.recorded_at := now();
  SELECT outcome, occurred_on, occurred_at INTO e FROM ims.vaccination_event WHERE id = NEW.vaccination_event_id;
  IF FOUND THEN
    IF e.outcome <> 'GIVEN' THEN
      RAISE EXCEPTION 'A reaction can only be recorded against a vaccination that was given.'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'adverse_reaction_event_given';
    END IF;
    IF NEW.onset_at < coalesce(e.occurred_at, e.occurred_on::timestamp AT TIME ZONE 'Europe/London') THEN
      RAISE EXCEPTION 'A reaction cannot start before the vaccination was given.'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'adverse_reaction_onset_after_event';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER adverse_reaction_before_insert BEFORE INSERT ON ims.adverse_reaction
  FOR EACH ROW EXECUTE FUNCTION ims.adverse_reaction_before_insert();
CREATE TRIGGER adverse_reaction_no_delete BEFORE DELETE OR TRUNCATE ON ims.adverse_reaction
  FOR EACH STATEMENT EXECUTE FUNCTION ims.refuse_clinical_delete();

-- ---------------------------------------------------------------------------------------
-- Access. Person-linked tables use the shared helper: visible and writable when the person
-- is visible (EXISTS on ims.person, itself filtered, so reports plan a semi-join rather than
-- a function call per row), read by every group, written by the clinical groups, audited.
-- Then narrower than the helper: nothing is deleted, and only the columns that may change
-- are updatable.

SELECT ims.secure_person_table('ims.vaccination_event');
SELECT ims.secure_person_table('ims.adverse_reaction');
REVOKE DELETE, UPDATE ON ims.vaccination_event, ims.adverse_reaction FROM ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;
GRANT UPDATE (status, status_reason, status_changed_by, status_changed_at) ON ims.vaccination_event
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;
-- Follow-up of a reaction: its outcome and Yellow Card report come later.
GRANT UPDATE (seriousness, outcome, description, yellow_card_reference, reported_to_mhra) ON ims.adverse_reaction
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;

-- Reference data: everyone reads; administrators maintain the product list; clinical groups
-- add batches as stock arrives (or when a dose from a new batch is recorded).
GRANT SELECT ON ims.antigen, ims.programme, ims.vaccine_product, ims.product_antigen, ims.product_procedure, ims.batch
  TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health, ims_analyst;
GRANT INSERT, UPDATE ON ims.antigen, ims.programme, ims.vaccine_product, ims.product_antigen, ims.product_procedure
  TO ims_administrator;
GRANT DELETE ON ims.product_antigen, ims.product_procedure TO ims_administrator;
GRANT INSERT ON ims.batch TO ims_administrator, ims_coordinator, ims_child_health, ims_occupational_health;

SELECT audit.attach('ims.batch');
SELECT audit.attach('ims.vaccine_product');
SELECT audit.attach('ims.product_antigen');
SELECT audit.attach('ims.product_procedure');
SELECT audit.attach('ims.programme');
