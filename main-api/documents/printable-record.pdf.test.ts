import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Content, ContextPageSize } from 'pdfmake/interfaces';
import { fontFiles, fontRuns, woffToSfnt } from '../platform/pdf/fonts';
import { extractPdfPages } from '../platform/pdf/pdf-text';
import { breakBeforeHeading, buildRecordDocument, renderVaccinationRecordPdf, type PrintableRecordInput } from './printable-record.pdf';

type Given = PrintableRecordInput['given'][number];

/** The words a piece of document content will print, in order, ignoring layout. */
function textOf(node: unknown): string {
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return node.map(textOf).join('');
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if ('text' in o) return textOf(o.text);
    return ['stack', 'columns'].map((k) => (k in o ? textOf(o[k]) : '')).join('');
  }
  return '';
}

const squash = (s: string): string => s.replace(/\s+/g, '');

// Whitespace is dropped within each line (font runs split words into fragments); lines stay apart.
function pageText(pages: string[][], i: number): string {
  return (pages[i] ?? []).map(squash).join('\n');
}

function allText(pages: string[][]): string {
  return pages.map((_, i) => pageText(pages, i)).join('\n');
}

const hexa: Given = {
  date: '2016-05-10',
  product: 'Infanrix hexa',
  antigens: ['Diphtheria', 'Tetanus', 'Pertussis', 'Polio', 'Hib', 'Hepatitis B'],
  doseNumber: 1,
  batchNumber: 'A21CB123',
  site: 'Left thigh',
  performer: 'Jane Nurse',
  location: 'Marston Surgery',
  source: { primarySource: false, sourceSystem: 'IMS', reportedBy: { kind: 'GP', name: 'Marston Surgery' } },
};

function record(overrides: Partial<PrintableRecordInput> = {}): PrintableRecordInput {
  return {
    issuedOn: '2026-03-05',
    issuer: { name: 'Northshire Community Vaccination Service', code: 'RX1' },
    person: {
      nhsNumber: '9991234567',
      givenName: 'Amelia',
      familyName: 'Hart',
      dateOfBirth: '2016-03-05',
      addressLines: ['12 Station Road', 'Little Marston'],
      postcode: 'NS1 2AB',
    },
    given: [
      // Deliberately out of order: the record prints oldest first.
      {
        date: '2023-10-02',
        product: 'Fluenz Tetra',
        antigens: ['Influenza'],
        doseNumber: null,
        batchNumber: 'FL2231',
        site: 'Nose',
        performer: 'Sam Immuniser',
        location: 'Marston Primary School',
        source: { primarySource: true, sourceSystem: 'IMS', reportedBy: null },
      },
      hexa,
      {
        ...hexa,
        date: '2016-05-10',
        product: 'Bexsero',
        antigens: ['Meningococcal B'],
        batchNumber: null,
        site: null,
        performer: null,
        location: null,
        source: { primarySource: false, sourceSystem: 'IMS', reportedBy: { kind: 'PARENT_HELD_RECORD', name: null } },
      },
    ],
    notGiven: [{ date: '2024-10-07', product: 'Fluenz Tetra', reason: 'CONTRAINDICATED', offeredBy: 'Sam Immuniser' }],
    reactions: [
      {
        onset: '2023-10-03',
        reaction: 'FEVER',
        description: 'Mild, settled with paracetamol',
        seriousness: 'NOT_SERIOUS',
        outcome: 'RECOVERED',
        vaccine: { date: '2023-10-02', product: 'Fluenz Tetra' },
        yellowCard: null,
      },
    ],
    dueNext: [
      {
        kind: 'SERIES',
        vaccination: 'Flu (children)',
        alsoCountsFor: [],
        product: 'Fluenz',
        status: 'UPCOMING',
        dueDate: '2026-09-01',
        note: null,
      },
    ],
    ...overrides,
  };
}

describe('font runs', () => {
  it('leaves Latin-1 text as one string', () => {
    expect(fontRuns("Zoë O'Brien-Müller")).toBe("Zoë O'Brien-Müller");
  });

  it('sends letters outside the base subset to the subset that has them', () => {
    expect(fontRuns('Dvořák')).toEqual([{ text: 'Dvo' }, { text: 'ř', font: 'ArimoLatinExt' }, { text: 'ák' }]);
    expect(fontRuns('Αλέξης')).toEqual([{ text: 'Αλέξης', font: 'ArimoGreek' }]);
    expect(fontRuns('Łucja Иван')).toEqual([
      { text: 'Ł', font: 'ArimoLatinExt' },
      { text: 'ucja ' },
      { text: 'Иван', font: 'ArimoCyrillic' },
    ]);
  });

  it('composes decomposed accents first, so they stay in the base font', () => {
    expect(fontRuns('Zoe\u0308')).toBe('Zoë');
  });

  it('unwraps WOFF into a TrueType font with the same tables', () => {
    const woff = readFileSync(createRequire(import.meta.url).resolve('@fontsource/arimo/files/arimo-latin-700-normal.woff'));
    const ttf = woffToSfnt(woff);
    expect(ttf.readUInt32BE(0)).toBe(0x00010000);
    expect(ttf.readUInt16BE(4)).toBe(woff.readUInt16BE(12));
    // The 'head' table must land intact: its magic number sits 12 bytes in.
    const tables = new Map<string, number>();
    for (let i = 0; i < ttf.readUInt16BE(4); i++) {
      tables.set(ttf.toString('latin1', 12 + i * 16, 16 + i * 16), ttf.readUInt32BE(12 + i * 16 + 8));
    }
    expect(ttf.readUInt32BE((tables.get('head') ?? 0) + 12)).toBe(0x5f0f3cf5);
    expect(tables.has('glyf')).toBe(true);
    expect(() => woffToSfnt(ttf)).toThrow(/Not a WOFF/);
    expect(fontFiles.readFileSync('arimo-latin-700-normal.woff').equals(ttf)).toBe(true);
    expect(fontFiles.existsSync('/etc/passwd')).toBe(false);
    expect(() => fontFiles.readFileSync('../../secret.woff')).toThrow(/Unknown font/);
  });
});

describe('buildRecordDocument', () => {
  it('describes an A4 record with a repeating table header', () => {
    const doc = buildRecordDocument(record());
    expect(doc.pageSize).toBe('A4');
    expect(doc.info?.title).toBe('Vaccination record: Amelia Hart');
    type TableNode = { table: { headerRows?: number; body: unknown[][] } };
    const table = (doc.content as unknown[]).find(
      (c): c is TableNode => typeof c === 'object' && c !== null && 'table' in c && (c as TableNode).table.body[0]?.length === 8,
    );
    expect(table?.table.headerRows).toBe(1);
    expect(table?.table.body).toHaveLength(4);
  });

  it('numbers pages in the footer', () => {
    const doc = buildRecordDocument(record());
    const footer = doc.footer as (p: number, n: number, size: ContextPageSize) => Content;
    const text = textOf(footer(2, 5, { width: 595.28, height: 841.89, orientation: 'portrait' }));
    expect(text).toContain('Page 2 of 5');
    expect(text).toContain('Produced by the Immunisation Management System on 5 March 2026 for ');
  });

  it('moves a section heading to the next page when too little room is left under it', () => {
    expect(breakBeforeHeading({ headlineLevel: 1, startPosition: { verticalRatio: 0.95, pageInnerHeight: 728 } })).toBe(true);
    expect(breakBeforeHeading({ headlineLevel: 1, startPosition: { verticalRatio: 0.5, pageInnerHeight: 728 } })).toBe(false);
    expect(breakBeforeHeading({ startPosition: { verticalRatio: 0.99, pageInnerHeight: 728 } })).toBe(false);
  });

  it('prints codes in the vocabulary’s words, never the code itself', () => {
    const doc = buildRecordDocument(
      record({
        notGiven: [{ date: '2024-10-07', product: null, reason: 'ALREADY_GIVEN', offeredBy: null }],
        reactions: [
          {
            onset: '2023-10-03',
            reaction: 'HYPOTONIC_HYPORESPONSIVE',
            description: null,
            seriousness: 'HOSPITALISED',
            outcome: 'RECOVERED_WITH_SEQUELAE',
            vaccine: { date: '2023-10-01', product: 'Fluenz Tetra' },
            yellowCard: { reference: null },
          },
        ],
        dueNext: [
          { kind: 'SERIES', vaccination: 'MMR', alsoCountsFor: [], product: 'MMR', status: 'OVERDUE', dueDate: '2026-01-01', note: null },
          {
            kind: 'SERIES',
            vaccination: 'MMR(V)',
            alsoCountsFor: [],
            product: 'MMRV',
            status: 'NEEDS_ASSESSMENT',
            dueDate: null,
            note: null,
          },
          { kind: 'CAMPAIGN', vaccination: 'Flu', alsoCountsFor: [], product: null, status: 'DUE', dueDate: null, note: null },
        ],
      }),
    );
    // Every string the document holds, tables included.
    const text = JSON.stringify(doc.content);
    for (const words of [
      'Already given elsewhere',
      'Hypotonic-hyporesponsive episode',
      'Needed hospital care',
      'Recovered with lasting effects',
      'Overdue',
      'Needs clinical assessment',
      'Eligible now',
    ]) {
      expect(text).toContain(words);
    }
    expect(text).not.toMatch(/[A-Z]+_[A-Z_]+/);
  });
});

describe('renderVaccinationRecordPdf', () => {
  it('prints the person, the organisation and every recorded event', async () => {
    const pdf = await renderVaccinationRecordPdf(record(), { compress: false });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pages = extractPdfPages(pdf);
    expect(pages).toHaveLength(1);
    const lines = pages[0] ?? [];
    const text = pageText(pages, 0);

    for (const expected of [
      'Northshire Community Vaccination Service',
      'ODS code RX1',
      'Vaccination record',
      'Date issued',
      '5 March 2026',
      'Amelia Hart',
      'Date of birth 5 March 2016',
      'NHS number 999 123 4567',
      '12 Station Road',
      'Little Marston',
      'NS1 2AB',
      'Vaccinations given',
      'Date Vaccine Protects against Dose Batch Site Given by / where Source',
      '10/05/2016 Infanrix hexa Diphtheria, Tetanus, 1 A21CB123 Left thigh Jane Nurse Reported by',
      '02/10/2023 Fluenz Tetra Influenza – FL2231 Nose Sam Immuniser Given here',
      'Vaccinations not given',
      'Date Vaccine Reason Offered by',
      '07/10/2024 Fluenz Tetra Not suitable (contraindicated) Sam Immuniser',
      'Reactions after vaccination',
      '03/10/2023 Fluenz Tetra Fever: Mild, settled with paracetamol Not serious Recovered Not reported',
      'given 02/10/2023',
      'Due next',
      'Flu (children) Fluenz 1 September 2026 Upcoming',
      'Produced by the Immunisation Management System on 5 March 2026 for Northshire Community Vaccination Service (RX1).',
      'It reflects the records held on 5 March 2026',
      'Page 1 of 1',
    ]) {
      expect(text).toContain(squash(expected));
    }
    // A reported dose says who reported it, in the screen's words; with no name, the kind of
    // reporter. The narrow column wraps, so its lines interleave with the next column's.
    const flat = text.replace(/\n/g, '');
    expect(flat).toContain(squash('Reported by parent-held record (red book)'));
    expect(flat).toContain(squash('(GP practice)'));
    expect(JSON.stringify(buildRecordDocument(record()).content)).toContain('Reported by Marston Surgery (GP practice)');
    expect(flat).not.toContain(squash('Reported by IMS'));

    // Oldest first, whatever order the caller supplied.
    const hexaRow = lines.findIndex((l) => l.includes('Infanrix hexa'));
    const fluRow = lines.findIndex((l) => l.includes('Fluenz Tetra') && l.includes('Given here'));
    expect(hexaRow).toBeGreaterThan(-1);
    expect(fluRow).toBeGreaterThan(hexaRow);
    expect(text).not.toContain('\uFFFD');
  });

  it('never breaks a batch number across lines, however long', async () => {
    // Real batch numbers run from 6 to about 20 characters; recall notices are read against them.
    const batches = ['AB25M983B', 'FL2231', 'MSDJ123456789AB', 'XZ-2025-0001-ABCDEFGH', 'BATCHNUMBER0123456789ABCDEF'];
    const given = batches.map((batchNumber, i) => ({ ...hexa, date: `2016-0${i + 1}-10`, batchNumber }));
    const pages = extractPdfPages(await renderVaccinationRecordPdf(record({ given }), { compress: false }));
    const lines = pages.flat().map(squash);
    for (const b of batches) {
      expect(
        lines.some((l) => l.includes(b)),
        `${b} on one line`,
      ).toBe(true);
    }
  });

  it('prints every reaction in the vocabulary’s words, with the dose it followed and any Yellow Card report', async () => {
    const reactions: PrintableRecordInput['reactions'] = [
      {
        onset: '2016-05-10',
        reaction: 'LOCAL_REACTION',
        description: null,
        seriousness: 'NOT_SERIOUS',
        outcome: 'RECOVERED',
        vaccine: { date: '2016-05-10', product: 'Infanrix hexa' },
        yellowCard: null,
      },
      {
        onset: '2016-05-11',
        reaction: 'SEIZURE',
        description: 'Febrile',
        seriousness: 'HOSPITALISED',
        outcome: 'RECOVERED',
        vaccine: { date: '2016-05-10', product: 'Bexsero' },
        yellowCard: { reference: 'GB-MHRA-ADR-12345' },
      },
      {
        onset: '2023-10-04',
        reaction: 'ANAPHYLAXIS',
        description: null,
        seriousness: 'LIFE_THREATENING',
        outcome: 'RECOVERING',
        vaccine: { date: '2023-10-02', product: null },
        yellowCard: { reference: null },
      },
    ];
    const pages = extractPdfPages(await renderVaccinationRecordPdf(record({ reactions }), { compress: false }));
    const text = allText(pages);
    // Each reaction's row starts with its onset and the dose it followed; the words wrap within cells.
    for (const start of [
      '10/05/2016 Infanrix hexa Local reaction at the injection',
      '11/05/2016 Bexsero Seizure: Febrile',
      '04/10/2023 – Anaphylaxis',
    ]) {
      expect(text).toContain(squash(start));
    }
    const flat = text.replace(/\n/g, '');
    for (const words of ['Needed hospital', 'Life-threatening', 'Recovering', 'Not reported', 'GB-MHRA-ADR-12345', 'given 02/10/2023']) {
      expect(flat).toContain(squash(words));
    }
    // The Yellow Card reference, like a batch number, is never split.
    expect(
      pages
        .flat()
        .map(squash)
        .some((l) => l.includes('GB-MHRA-ADR-12345')),
    ).toBe(true);
  });

  it('says plainly when nothing is recorded', async () => {
    const pdf = await renderVaccinationRecordPdf(record({ given: [], notGiven: [], reactions: [], dueNext: [] }), { compress: false });
    const pages = extractPdfPages(pdf);
    expect(pages).toHaveLength(1);
    const text = pageText(pages, 0);
    expect(text).toContain(squash('No vaccinations are recorded.'));
    expect(text).not.toContain('Vaccinationsnotgiven');
    expect(text).not.toContain('Reactionsaftervaccination');
    expect(text).not.toContain('Duenext');
    expect(text).toContain('Page1of1');
  });

  it('prints accented and non-Latin names letter for letter', async () => {
    const person = {
      nhsNumber: '999 000 0018',
      givenName: 'Zoë Łucja',
      familyName: 'Dvořák-Ó Séaghdha',
      dateOfBirth: '2019-12-31',
      addressLines: ['Flat 2, Ωmega House', 'ул. Тверская 7'],
      postcode: null,
    };
    const pdf = await renderVaccinationRecordPdf(record({ person }), { compress: false });
    const text = pageText(extractPdfPages(pdf), 0);
    expect(text).toContain(squash('Zoë Łucja Dvořák-Ó Séaghdha'));
    expect(text).toContain(squash('NHS number 999 000 0018'));
    expect(text).toContain(squash('Date of birth 31 December 2019'));
    expect(text).toContain(squash('Flat 2, Ωmega House'));
    expect(text).toContain(squash('ул. Тверская 7'));
    expect(text).not.toContain('\uFFFD');
    // Base, Latin Extended, Greek and Cyrillic subsets are embedded.
    const embedded = pdf.toString('latin1').match(/\/FontFile2 /g) ?? [];
    expect(embedded.length).toBeGreaterThanOrEqual(4);
  });

  it('runs a long history over several pages, repeating the header and losing no row', { timeout: 60_000 }, async () => {
    const given: Given[] = Array.from({ length: 150 }, (_, i) => ({
      ...hexa,
      date: `${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-15`,
      batchNumber: `B${String(i + 1).padStart(4, '0')}`,
    }));
    const pdf = await renderVaccinationRecordPdf(record({ given }), { compress: false });
    const pages = extractPdfPages(pdf);
    expect(pages.length).toBeGreaterThan(2);

    const header = squash('Date Vaccine Protects against Dose Batch Site Given by / where Source');
    pages.forEach((_, i) => {
      const text = pageText(pages, i);
      expect(text).toContain(squash(`Page ${i + 1} of ${pages.length}`));
      expect(text).toContain(squash('Produced by the Immunisation Management System on 5 March 2026'));
      if (i > 0) expect(text).toContain(squash('Vaccination record: Amelia Hart, NHS number 999 123 4567'));
    });
    // The table header repeats on every page the table reaches.
    const tablePages = pages.filter((_, i) => /B\d{4}/.test(pageText(pages, i)));
    expect(tablePages.length).toBeGreaterThan(2);
    for (const p of tablePages) expect(p.map(squash)).toContain(header);

    const batches = allText(pages).match(/B\d{4}/g) ?? [];
    expect(batches).toHaveLength(150);
    expect(new Set(batches).size).toBe(150);
    // Chronological across page breaks: batch numbers were assigned in date order.
    expect(batches).toEqual([...batches].sort());
  });

  it('keeps a section heading on the same page as its table', { timeout: 60_000 }, async () => {
    // Across this range of lengths the 'not given' heading passes the foot of page 1, so some of
    // them would leave it stranded there if nothing prevented it.
    for (let n = 10; n <= 24; n++) {
      const given = Array.from({ length: n }, () => ({ ...hexa, antigens: ['Influenza'], location: null }));
      const pages = extractPdfPages(await renderVaccinationRecordPdf(record({ given, reactions: [], dueNext: [] }), { compress: false }));
      const headingPage = pages.findIndex((p) => p.includes('Vaccinations not given'));
      const tablePage = pages.findIndex((p) => p.includes('Date Vaccine Reason Offered by'));
      expect(headingPage).toBeGreaterThan(-1);
      expect(tablePage).toBe(headingPage);
    }
  });

  it('compresses by default', async () => {
    const input = record();
    const packed = await renderVaccinationRecordPdf(input);
    const plain = await renderVaccinationRecordPdf(input, { compress: false });
    expect(packed.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(packed.subarray(-6).toString('latin1')).toContain('%%EOF');
    expect(packed.length).toBeLessThan(plain.length);
    expect(packed.toString('latin1')).toContain('/Filter /FlateDecode');
    // Compressed or not, a reader sees the same text.
    expect(extractPdfPages(packed)).toEqual(extractPdfPages(plain));
  });
});
