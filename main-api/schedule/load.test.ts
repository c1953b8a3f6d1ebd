import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { benchForecast, RULES_DIR } from './schedule.bench';
import { compileSchedule } from './compile';
import { loadScheduleFiles } from './load';
import { forecast } from './forecast';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function withFile(name: string, edit: (json: Record<string, unknown>) => void, source = 'england-routine-2025-26.json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'ims-rules-'));
  dirs.push(dir);
  const json = JSON.parse(readFileSync(join(RULES_DIR, source), 'utf8')) as Record<string, unknown>;
  edit(json);
  writeFileSync(join(dir, name), JSON.stringify(json));
  return dir;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('loading rule files', () => {
  it('loads the shipped schedule and campaigns', () => {
    const loaded = loadScheduleFiles(RULES_DIR);
    expect(loaded.versions.map((v) => `${v.id}@${v.version}`)).toEqual(['ENG-ROUTINE@2025-26']);
    expect(loaded.campaigns.map((c) => c.id).sort()).toEqual([
      'COVID19_AUTUMN_2025',
      'COVID19_AUTUMN_2026',
      'COVID19_SPRING_2026',
      'FLU_2025_26',
      'FLU_2026_27',
    ]);
    const rules = compileSchedule(loaded.versions, loaded.campaigns);
    expect(rules.seriesCount).toBe(loaded.versions[0]!.series.length);
  });

  it('loads the catch-up rules and refuses a course handed over to a series that does not exist', () => {
    expect(loadScheduleFiles(RULES_DIR).catchUp.map((c) => `${c.id}@${c.effectiveFrom}`)).toEqual(['UKHSA-CATCH-UP@2025-07-01']);
    const dir = withFile('handover.json', (j: Json) => {
      j.series.find((s: Json) => s.id === 'SIX-IN-1').continuedBy.series = 'TD-IPV-TYPO';
    });
    expect(() => loadScheduleFiles(dir)).toThrow(/handover\.json: .*series SIX-IN-1: continuedBy names unknown series 'TD-IPV-TYPO'/);
  });

  it('refuses a live-vaccine caution without a source', () => {
    const dir = withFile('caution.json', (j: Json) => {
      delete j.series.find((s: Json) => s.id === 'MMR').cautions[0].source;
    });
    expect(() => loadScheduleFiles(dir)).toThrow(/caution\.json: series\[\d+\]\.cautions\[0\]\.source/);
  });

  it('refuses a file with a malformed age, naming the file and field', () => {
    const dir = withFile('bad-age.json', (j: Json) => {
      j.series[1].doses[0].dueAge = '8 weeks';
    });
    expect(() => loadScheduleFiles(dir)).toThrow(/bad-age\.json: series\[1\]\.doses\[0\]\.dueAge: must be an age/);
  });

  it('refuses an unknown antigen', () => {
    const dir = withFile('bad-antigen.json', (j: Json) => {
      j.series[3].antigens = ['ROTA'];
    });
    expect(() => loadScheduleFiles(dir)).toThrow(/bad-antigen\.json: series\[3\]\.antigens\[0\]/);
  });

  it('refuses a gap in dose numbers, naming the series', () => {
    const dir = withFile('gap.json', (j: Json) => {
      j.series.find((x: Json) => x.id === 'ROTAVIRUS').doses[1].dose = 3;
    });
    expect(() => loadScheduleFiles(dir)).toThrow(/gap\.json: .*series ROTAVIRUS: dose numbers must run 1\.\.n/);
  });

  it('refuses an impossible date and an unknown field', () => {
    const d1 = withFile('date.json', (j: Json) => {
      j.series[1].bornFrom = '2017-02-30';
    });
    expect(() => loadScheduleFiles(d1)).toThrow(/date\.json: series\[1\]\.bornFrom: Use a real date written YYYY-MM-DD/);
    const d2 = withFile('field.json', (j: Json) => {
      j.series[1].doses[0].dueAgee = '8w';
    });
    expect(() => loadScheduleFiles(d2)).toThrow(/field\.json: series\[1\]\.doses\[0\]/);
  });

  it('refuses a campaign criterion with an unknown flag', () => {
    const dir = withFile(
      'flu.json',
      (j: Json) => {
        j.criteria[0].flagsAny = ['ASTHMA'];
      },
      'flu-2025-26.json',
    );
    expect(() => loadScheduleFiles(dir)).toThrow(/flu\.json: criteria\[0\]\.flagsAny\[0\]/);
  });
});

describe('rule mechanisms on edited copies of the shipped rules', () => {
  it('refuses a series timed by weeks of pregnancy that also has a date-of-birth cohort', () => {
    const dir = withFile('gestation.json', (j: Json) => {
      j.series.find((s: Json) => s.id === 'RSV-PREGNANCY').bornFrom = '1990-01-01';
    });
    expect(() => loadScheduleFiles(dir)).toThrow(
      /series RSV-PREGNANCY: a series timed by weeks of pregnancy cannot have date-of-birth cohorts/,
    );
  });

  it('a series caution that names an alternative keeps the series due and offers the alternative, with the reason', () => {
    const dir = withFile('offer.json', (j: Json) => {
      j.series.find((s: Json) => s.id === 'ROTAVIRUS').cautions[0].alternative = 'an inactivated alternative';
    });
    const loaded = loadScheduleFiles(dir);
    const rules = compileSchedule(loaded.versions, loaded.campaigns);
    const baby = { dateOfBirth: '2025-09-10', flags: [{ code: 'IMMUNOSUPPRESSION', from: '2025-09-10', to: null }] };
    const rota = forecast(rules, baby, [], '2025-11-05').series.find((s) => s.seriesId === 'ROTAVIRUS')!;
    expect(rota).toMatchObject({ status: 'DUE', nextProduct: 'an inactivated alternative', offer: 'an inactivated alternative' });
    expect(rota.caution).toMatch(/^rotavirus vaccine is live/);
  });
});

describe('benchmark helper', () => {
  it('forecasts synthetic children and reports a rate', () => {
    expect(benchForecast(300)).toBeGreaterThan(0);
  });
});
