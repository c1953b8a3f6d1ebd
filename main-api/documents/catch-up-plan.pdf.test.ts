// The printed catch-up plan and transfer summary: what a family, a GP or a receiving service
// reads on the page, checked in the PDF's own text.
import { describe, expect, it } from 'vitest';
import { extractPdfPages } from '../platform/pdf/pdf-text';
import { catchUpPlan } from '../schedule';
import { given, person, rules } from '../schedule/schedule.fixtures';
import { toPlanView } from '../movers/movers.rules';
import { renderCatchUpPlanPdf } from './catch-up-plan.pdf';
import { renderTransferSummaryPdf } from './transfer-summary.pdf';

const head = {
  issuedOn: '2026-02-10',
  issuer: { name: 'Kent Child Health', code: 'RYY' },
  person: {
    nhsNumber: '9990000018',
    givenName: 'Ola',
    familyName: 'Nowak',
    dateOfBirth: '2023-01-10',
    addressLines: ['1 High Street'],
    postcode: 'ME14 1AA',
  },
};

const abroad = { ...given('2023-04-10', ['DIPHTHERIA', 'TETANUS', 'PERTUSSIS', 'POLIO', 'HIB']), productName: 'DTaP/IPV/Hib' };
const plan = toPlanView(1, catchUpPlan(rules, person('2023-01-10'), [abroad], '2026-02-10'), {
  arrivedOn: '2025-09-01',
  fromCountry: 'PL',
  fromCountryName: 'Poland',
  fromArea: 'Gdańsk',
  recordedBy: 'Jo Nurse',
  recordedAt: '2025-09-02T10:00:00Z',
});

const text = (pdf: Buffer): string =>
  extractPdfPages(pdf)
    .map((lines) => lines.join('\n'))
    .join('\n')
    .replace(/\s+/g, '');

describe('printed catch-up plan', () => {
  it('lists the visits in order with their earliest dates, vaccines and reasons, and whose plan it is', async () => {
    const pdf = await renderCatchUpPlanPdf({ ...head, plan }, { compress: false });
    const t = text(pdf);
    for (const words of [
      'Catch-upvaccinationplan',
      'OlaNowak',
      '9990000018',
      '1September2025fromPoland(Gdańsk)',
      '10February2026',
      '10March2026',
      'Next:dose2(6-in-1)',
      'Alsocountsfor:Hibboosterafter',
      'courseresumesfromdose2',
      'atleast4weeksafterthepreviousvisit',
      'Notintheplan',
      'Rotavirus',
      'thelastdayfordose1was',
      'HowthisplanwasmadeVaccinationofindividualswithuncertain',
      'countsasadoseof6-in-1',
    ])
      expect(t).toContain(words);
    // The visits in date order.
    expect(t.indexOf('10February2026')).toBeLessThan(t.indexOf('10March2026'));
  });

  it('says when nothing is needed', async () => {
    const empty = { ...plan, visits: [], notPlanned: [], then: [] };
    expect(text(await renderCatchUpPlanPdf({ ...head, plan: empty }, { compress: false }))).toContain('Nothingisdueoroverdue');
  });
});

describe('printed transfer summary', () => {
  it('carries the history, the schedule status, what is outstanding, reactions and flags', async () => {
    const pdf = await renderTransferSummaryPdf(
      {
        ...head,
        given: [
          {
            date: '2023-04-10',
            product: 'DTaP/IPV/Hib (5-in-1)',
            antigens: ['Diphtheria', 'Tetanus'],
            doseNumber: 1,
            batchNumber: null,
            site: null,
            performer: null,
            location: null,
            source: { primarySource: false, sourceSystem: 'IMS', reportedBy: { kind: 'OVERSEAS', name: 'Poland' } },
          },
        ],
        notGiven: [],
        reactions: [
          {
            onset: '2023-04-11',
            reaction: 'FEVER',
            description: null,
            seriousness: 'NOT_SERIOUS',
            outcome: 'RECOVERED',
            vaccine: { date: '2023-04-10', product: 'DTaP/IPV/Hib (5-in-1)' },
            yellowCard: null,
          },
        ],
        status: [{ vaccination: 'MMR(V)', alsoCountsFor: [], status: 'OVERDUE', dosesCounted: 0, next: 'Dose 1 (MMR)' }],
        plan,
        flags: [{ label: 'Asplenia', category: 'Clinical risk group', fromDate: '2024-01-01', toDate: null }],
        practice: 'Alpha Surgery',
        rulesVersion: 'ENG-ROUTINE v2025-26',
      },
      { compress: false },
    );
    const t = text(pdf);
    for (const words of [
      'Immunisationtransfersummary',
      'GPpracticeAlphaSurgery',
      'Schedulestatus',
      'MMR(V)0Overdue',
      'Outstandingdoses',
      'Vaccinationsgiven',
      'Givenabroad',
      'Reactionsaftervaccination',
      'Fever',
      'Clinicalflags',
      'Asplenia',
    ])
      expect(t).toContain(words);
  });
});
