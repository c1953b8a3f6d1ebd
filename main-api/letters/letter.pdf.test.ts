// The letter's layout read back from the PDF it makes, against GOV.UK Notify's precompiled-letter
// specification: page size, the address block's position and size, the margins, the body's
// start on page 1, and page numbers on a letter of more than one page (and on no other).
import { describe, expect, it } from 'vitest';
import { extractPdfFragments, extractPdfPages, type PdfFragment } from '../platform/pdf/pdf-text';
import { mm, PRECOMPILED, renderLetters, type LetterToDraw } from './letter.pdf';

// Arimo's vertical metrics (Arial's): ascender 1854 and descender 434 of 2048 units to the em.
const ASCENT = 1854 / 2048;
const DESCENT = 434 / 2048;

const HEAD = { organisationName: 'Kent and Medway ICB' };

const letter = (over: Partial<LetterToDraw> = {}): LetterToDraw => ({
  nhsNumber: '9990001234',
  address: ['Ada Lovelace', '12 Ockham Road', 'Little Chart', 'Ashford', 'TN27 0AA'],
  language: 'en',
  largePrint: false,
  subject: 'Your flu vaccination',
  body: 'Dear Ada Lovelace,\n\nYou are invited for your flu vaccination this autumn.\n\n* It is free\n* It takes a few minutes\n\nBook online.',
  date: '2026-10-05',
  ...over,
});

const LONG_BODY = Array.from({ length: 40 }, (_, i) => `Paragraph ${i + 1}: ${'about the vaccine and who should have it '.repeat(4)}`).join(
  '\n\n',
);

/**
 * The printed lines of a page: runs on one baseline joined (the PDF engine draws a line word by
 * word), each at its leftmost run's x and its largest font size.
 */
function printedLines(frags: readonly PdfFragment[]): PdfFragment[] {
  const sorted = [...frags].sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: PdfFragment[][] = [];
  for (const f of sorted) {
    const line = lines[lines.length - 1];
    if (line && Math.abs((line[0]?.y ?? 0) - f.y) < 0.5) line.push(f);
    else lines.push([f]);
  }
  return lines.map((l) => ({
    x: Math.min(...l.map((f) => f.x)),
    y: l[0]!.y,
    size: Math.max(...l.map((f) => f.size)),
    text: l.map((f) => f.text.trim()).join(' '),
  }));
}

/** Printed lines left of the address block's right edge whose text is one of the lines given. */
const linesIn = (frags: PdfFragment[], lines: string[]) =>
  printedLines(frags.filter((f) => f.x < mm(PRECOMPILED.address.left + PRECOMPILED.address.width))).filter((f) =>
    lines.includes(f.text.trim()),
  );

describe('letter layout against the precompiled specification', () => {
  it('is A4 portrait with the address block where Notify reads it', async () => {
    const l = letter();
    const { pdf, placements } = await renderLetters([l], HEAD, { compress: false });
    const [page] = extractPdfFragments(pdf);
    expect(page).toBeDefined();
    expect(page!.width).toBeCloseTo(595.28, 1);
    expect(page!.height).toBeCloseTo(841.89, 1);
    expect(placements).toEqual([{ firstPage: 1, pages: 1 }]);

    const address = linesIn(page!.fragments, l.address);
    expect(address.map((f) => f.text.trim())).toEqual(l.address);
    const boxLeft = mm(PRECOMPILED.address.left);
    const boxTop = page!.height - mm(PRECOMPILED.address.top);
    const boxBottom = boxTop - mm(PRECOMPILED.address.height);
    for (const f of address) {
      expect(f.x).toBeGreaterThanOrEqual(boxLeft - 0.01);
      expect(f.x).toBeLessThan(boxLeft + 1);
      // The glyphs' tops and descenders stay inside.
      expect(f.y + f.size * ASCENT).toBeLessThanOrEqual(boxTop);
      expect(f.y - f.size * DESCENT).toBeGreaterThanOrEqual(boxBottom);
    }
  });

  it('fits seven address lines in the block, and keeps everything else out of it', async () => {
    const seven = ['Name Surname', 'Flat 1', '2 Long Street', 'Area', 'Village', 'Town', 'ME1 1AA'];
    const { pdf } = await renderLetters([letter({ address: seven })], HEAD, { compress: false });
    const [page] = extractPdfFragments(pdf);
    const boxLeft = mm(PRECOMPILED.address.left);
    const boxRight = boxLeft + mm(PRECOMPILED.address.width);
    const boxTop = page!.height - mm(PRECOMPILED.address.top);
    const boxBottom = boxTop - mm(PRECOMPILED.address.height);
    const inBox = (f: PdfFragment) => f.x >= boxLeft - 1 && f.x < boxRight && f.y <= boxTop && f.y >= boxBottom;
    expect(
      printedLines(page!.fragments.filter((f) => f.x < boxRight))
        .filter(inBox)
        .map((f) => f.text.trim()),
    ).toEqual(seven);
    for (const f of linesIn(page!.fragments, seven)) {
      expect(f.y + f.size * ASCENT).toBeLessThanOrEqual(boxTop);
      expect(f.y - f.size * DESCENT).toBeGreaterThanOrEqual(boxBottom);
    }
  });

  it('prints within the margins, and starts the body 95 mm down page 1', async () => {
    const l = letter({ body: LONG_BODY });
    const { pdf, placements } = await renderLetters([l], HEAD, { compress: false });
    const pages = extractPdfFragments(pdf);
    expect(placements[0]!.pages).toBeGreaterThan(1);
    for (const page of pages) {
      for (const f of page.fragments) {
        expect(f.x).toBeGreaterThanOrEqual(mm(PRECOMPILED.margin.side));
        expect(f.x).toBeLessThanOrEqual(page.width - mm(PRECOMPILED.margin.side));
        expect(f.y).toBeGreaterThanOrEqual(mm(PRECOMPILED.margin.topBottom));
        expect(f.y + f.size).toBeLessThanOrEqual(page.height - mm(PRECOMPILED.margin.topBottom));
      }
    }
    const first = pages[0]!;
    const heading = printedLines(first.fragments).find((f) => f.text.includes('Your flu vaccination'));
    expect(heading).toBeDefined();
    expect(heading!.y + heading!.size).toBeLessThanOrEqual(first.height - mm(PRECOMPILED.bodyTop) + 0.5);
  });

  it('numbers the pages of a long letter within the letter, and not those of a one-page letter', async () => {
    const { pdf, placements, pageCount } = await renderLetters(
      [letter(), letter({ body: LONG_BODY, nhsNumber: '9990002222' }), letter({ nhsNumber: '9990003333' })],
      HEAD,
      { compress: false },
    );
    const long = placements[1]!;
    expect(placements[0]).toEqual({ firstPage: 1, pages: 1 });
    expect(long.firstPage).toBe(2);
    expect(placements[2]).toEqual({ firstPage: long.firstPage + long.pages, pages: 1 });
    expect(pageCount).toBe(2 + long.pages);
    const text = extractPdfPages(pdf);
    expect(text[0]!.join('\n')).not.toMatch(/Page \d+ of/);
    expect(text[1]!.join('\n')).toContain(`Page 1 of ${long.pages}`);
    expect(text[long.pages]!.join('\n')).toContain(`Page ${long.pages} of ${long.pages}`);
    expect(text[pageCount - 1]!.join('\n')).not.toMatch(/Page \d+ of/);
    expect(text[pageCount - 1]!.join('\n')).toContain('999 000 3333');
  });

  it('prints a Welsh letter with Welsh words and letters, and a large-print one larger', async () => {
    const { pdf } = await renderLetters(
      [
        letter({ language: 'cy', subject: 'Eich brechiad ffliw', body: 'Annwyl Ŵyn,\n\nDewch i gael eich brechiad.' }),
        letter({ largePrint: true }),
      ],
      HEAD,
      { compress: false },
    );
    const text = extractPdfPages(pdf);
    expect(text[0]!.join('\n')).toContain('Dyddiad: 5 Hydref 2026');
    expect(text[0]!.join('\n')).toContain('Rhif GIG: 999 000 1234');
    // Ŵ is drawn from Arimo's Latin Extended file, as its own run.
    expect(text[0]!.join(' ').replace(/\s+/g, '')).toContain('AnnwylŴyn,');
    const pages = extractPdfFragments(pdf);
    const bodySize = (p: number) => pages[p]!.fragments.find((f) => f.text.includes('invited') || f.text.includes('Dewch'))!.size;
    expect(bodySize(0)).toBe(11);
    expect(bodySize(1)).toBeGreaterThanOrEqual(16);
  });

  it('stores the logo and each font once per file, in every file', async () => {
    const count = (pdf: Buffer, re: RegExp) => pdf.toString('latin1').match(re)?.length ?? 0;
    for (let file = 0; file < 2; file++) {
      const { pdf, pageCount } = await renderLetters(
        [letter(), letter({ nhsNumber: '9990002222' }), letter({ largePrint: true, nhsNumber: '9990003333' })],
        HEAD,
      );
      expect(pageCount).toBe(3);
      // The logo's picture and its transparency, whatever the number of letters.
      expect(count(pdf, /\/Subtype \/Image/g)).toBe(2);
      expect(count(pdf, /\/SMask \d+ 0 R/g)).toBe(1);
      // Arimo regular and bold, each embedded once.
      expect(count(pdf, /\/FontFile2 /g)).toBe(2);
      expect(extractPdfPages(pdf)[2]!.join('\n')).toContain('999 000 3333');
    }
  });
});
