// One production file made from the letters the database planned into it: every letter
// prepared (template, language, merge, address), the good ones drawn, and each letter's outcome.
// The same function runs in a worker thread (letter.worker.ts) and, for comparison, on the
// calling thread (the bench). A letter that cannot be made is reported with the reason; the
// rest of the file goes on.
import type { LetterCampaign, MessageTemplate } from '../contract/letters';
import type { LetterLanguage, LetterRunLayout } from '../shared/vocabulary/letters';
import { renderLetters, type Letterhead, type LetterToDraw } from './letter.pdf';
import { prepareLetter, templateIndex, type PlannedLetter } from './letter.rules';

export interface FileJob {
  layout: LetterRunLayout;
  letters: PlannedLetter[];
  templates: MessageTemplate[];
  campaign: LetterCampaign;
  today: string;
  largePrint: boolean;
}

export type LetterOutcome =
  | { communicationId: number; firstPage: number; pages: number; language: LetterLanguage; largePrint: boolean }
  | { communicationId: number; personId: number; reason: string };

export interface FileResult {
  /** BATCH: the file's PDF (null when no letter could be made). */
  pdf: Uint8Array | null;
  /** PER_LETTER: one PDF per letter made, named by the communication's reference. */
  letters: { communicationId: number; reference: string; pdf: Uint8Array }[];
  outcomes: LetterOutcome[];
  pageCount: number;
}

interface Ready {
  communicationId: number;
  reference: string;
  draw: LetterToDraw;
}

async function drawAlone(r: Ready, head: Letterhead): Promise<{ pdf: Buffer; pages: number } | { reason: string }> {
  try {
    const { pdf, pageCount } = await renderLetters([r.draw], head);
    return { pdf, pages: pageCount };
  } catch (error) {
    return { reason: `The letter could not be drawn: ${(error as Error).message}` };
  }
}

export async function produceFile(job: FileJob): Promise<FileResult> {
  const templates = templateIndex(job.templates);
  const head: Letterhead = { organisationName: job.campaign.organisationName };
  const outcomes = new Map<number, LetterOutcome>();
  const ready: Ready[] = [];
  for (const letter of job.letters) {
    const p = prepareLetter(letter, templates, job.campaign, job.today, job.largePrint);
    if (p.ok) ready.push({ communicationId: p.communicationId, reference: letter.reference, draw: p.draw });
    else outcomes.set(p.communicationId, { communicationId: p.communicationId, personId: p.personId, reason: p.reason });
  }
  const personOf = new Map(job.letters.map((l) => [l.communicationId, l.person.personId]));
  const made = (r: Ready, firstPage: number, pages: number) =>
    outcomes.set(r.communicationId, {
      communicationId: r.communicationId,
      firstPage,
      pages,
      language: r.draw.language,
      largePrint: r.draw.largePrint,
    });
  const failed = (r: Ready, reason: string) =>
    outcomes.set(r.communicationId, { communicationId: r.communicationId, personId: personOf.get(r.communicationId) ?? 0, reason });
  const inOrder = () => job.letters.map((l) => outcomes.get(l.communicationId)).filter((o): o is LetterOutcome => o !== undefined);

  if (job.layout === 'PER_LETTER') {
    const letters: FileResult['letters'] = [];
    let pageCount = 0;
    for (const r of ready) {
      const one = await drawAlone(r, head);
      if ('reason' in one) failed(r, one.reason);
      else {
        made(r, 1, one.pages);
        pageCount += one.pages;
        letters.push({ communicationId: r.communicationId, reference: r.reference, pdf: one.pdf });
      }
    }
    return { pdf: null, letters, outcomes: inOrder(), pageCount };
  }

  let drawable = ready;
  if (drawable.length === 0) return { pdf: null, letters: [], outcomes: inOrder(), pageCount: 0 };
  try {
    const { pdf, placements, pageCount } = await renderLetters(
      drawable.map((r) => r.draw),
      head,
    );
    drawable.forEach((r, i) => made(r, placements[i]?.firstPage ?? 0, placements[i]?.pages ?? 0));
    return { pdf, letters: [], outcomes: inOrder(), pageCount };
  } catch {
    // Some letter cannot be drawn: find which, alone, and draw the others together.
    const good: Ready[] = [];
    for (const r of drawable) {
      const one = await drawAlone(r, head);
      if ('reason' in one) failed(r, one.reason);
      else good.push(r);
    }
    drawable = good;
    if (drawable.length === 0) return { pdf: null, letters: [], outcomes: inOrder(), pageCount: 0 };
    const { pdf, placements, pageCount } = await renderLetters(
      drawable.map((r) => r.draw),
      head,
    );
    drawable.forEach((r, i) => made(r, placements[i]?.firstPage ?? 0, placements[i]?.pages ?? 0));
    return { pdf, letters: [], outcomes: inOrder(), pageCount };
  }
}
