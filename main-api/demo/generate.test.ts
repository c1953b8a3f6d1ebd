import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parsePostcode } from '../shared/identifiers/postcode';
import { escapeCopyText } from '../platform/db/copy-writer';
import { requireDay, schoolYearGroup } from '../shared/calendar/dates';
import { DEMO_AS_OF, DemoGenerator, INWARD_LETTERS, PERSON_COLUMNS, syntheticInwardCode } from './generate';
import { createRng } from './prng';
import { readDemoRegion } from './region';

const { region, names } = readDemoRegion(join(__dirname, '../../resources/reference'));

function rows(text: Buffer): string[][] {
  return text
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
}

describe('COPY text escaping', () => {
  it('escapes backslash, tab, newline and carriage return only', () => {
    expect(escapeCopyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(escapeCopyText("O'Brien-Wiśniewski")).toBe("O'Brien-Wiśniewski");
  });
});

describe('synthetic postcodes', () => {
  it('makes inward codes of the sector digit and two letters used in real inward codes', () => {
    const rng = createRng(5);
    for (let i = 0; i < 1000; i++) {
      const inward = syntheticInwardCode(rng, '4');
      expect(inward).toMatch(/^4[A-Z]{2}$/);
      expect(INWARD_LETTERS).toContain(inward[1]);
      expect('CIKMOV').not.toContain(inward[2]);
    }
  });
});

describe('DemoGenerator', () => {
  it('is deterministic for a seed and different for another', () => {
    const a = new DemoGenerator(region, names, { seed: 11, firstId: 1 }).chunk(500);
    const b = new DemoGenerator(region, names, { seed: 11, firstId: 1 }).chunk(500);
    const c = new DemoGenerator(region, names, { seed: 12, firstId: 1 }).chunk(500);
    expect(b.person.equals(a.person) && b.contact.equals(a.contact) && b.flag.equals(a.flag)).toBe(true);
    expect(c.person.equals(a.person)).toBe(false);
  });

  it('writes consistent person rows: ids, postcodes in the LA, LSOA and IMD, school years', () => {
    const gen = new DemoGenerator(region, names, { seed: 3, firstId: 100 });
    const people = rows(gen.chunk(3000).person);
    const col = (name: (typeof PERSON_COLUMNS)[number]): number => PERSON_COLUMNS.indexOf(name);
    const sectorLa = new Map(region.postcodeSectors.map((s) => [s.sector, s.laCode]));
    const lsoa = new Map(region.lsoas.map((l) => [l.code, l]));
    const asOf = requireDay(DEMO_AS_OF);
    expect(people).toHaveLength(3000);
    people.forEach((p, i) => {
      expect(p).toHaveLength(PERSON_COLUMNS.length);
      expect(p[col('id')]).toBe(String(100 + i));
      const pc = parsePostcode(p[col('postcode')]!);
      expect(pc?.postcode).toBe(p[col('postcode')]);
      expect(sectorLa.get(pc!.sector)).toBe(p[col('la_code')]);
      const l = lsoa.get(p[col('lsoa_code')]!);
      expect(l?.laCode).toBe(p[col('la_code')]);
      expect(String(l?.imdDecile)).toBe(p[col('imd_decile')]);
      const yg = p[col('year_group')]!;
      if (yg !== '\\N') expect(Number(yg)).toBe(schoolYearGroup(requireDay(p[col('date_of_birth')]!), asOf));
    });
  });
});
