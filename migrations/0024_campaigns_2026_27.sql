-- This season's campaigns: flu 2026-27 (from 1 September 2026; adults from 1 October) and
-- COVID-19 autumn 2026. Their rules are resources/schedule/flu-2026-27.json and
-- covid-19-autumn-2026.json; a dose is recorded against the programme row of its season.
INSERT INTO ims.programme (code, name, kind, campaign, start_date, end_date) VALUES
  ('FLU_2026_27', 'Seasonal flu 2026-27', 'SEASONAL_FLU', '2026-27', '2026-09-01', '2027-03-31'),
  ('COVID19_AUTUMN_2026', 'COVID-19 autumn 2026', 'COVID19', 'Autumn 2026', '2026-10-01', '2027-01-31');
