// Letters per second, for `npm run bench`: a one-page invitation with merge fields (name,
// NHS number, clinic, booking phone, date, an optional block) drawn as production files of
// `perFile` letters, through the worker pool and, in the same run, on a single thread. It times
// what production does per file apart from the database (prepare, merge, address check, draw,
// write the PDF); the database's share is one call per file. Target: 1,000 letters a second on
// this 2-core machine with the pool.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LetterCampaign, MessageTemplate } from '../contract/letters';
import { produceFile, type FileJob, type FileResult } from './letter-file';
import { defaultPoolSize, LetterPool } from './letter-pool';
import type { PlannedLetter } from './letter.rules';
import type { LetterRunLayout } from '../shared/vocabulary/letters';

export interface LetterBenchResult {
  layout: LetterRunLayout;
  letters: number;
  perFile: number;
  workers: number;
  poolSeconds: number;
  poolPerSecond: number;
  singleSeconds: number;
  singlePerSecond: number;
  /**
   * Processor time the process spent (every thread), so that a run on a busy shared machine can
   * be read: letters per processor second, times the cores, is what an idle machine would reach.
   */
  poolCpuSeconds: number;
  singleCpuSeconds: number;
  pages: number;
}

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

const CAMPAIGN: LetterCampaign = {
  code: 'BENCH-LETTERS',
  name: 'Flu vaccination 2026 to 2027',
  organisationCode: 'QKS',
  organisationName: 'Kent and Medway ICB',
  bookingRoute: 'PHONE',
  bookingUrl: null,
  bookingPhone: '01622 123456',
  clinicName: 'Maidstone Community Clinic',
  clinicPostcode: 'ME14 1XX',
};

const TEMPLATE: MessageTemplate = {
  name: 'bench-invitation',
  version: 1,
  purpose: 'INVITATION',
  channel: 'LETTER',
  subject: 'Your free flu vaccination',
  body: [
    'Dear ((first name)) ((last name)),',
    'You are eligible for a free flu vaccination this autumn. The flu vaccine is the best protection against flu, which can be serious.',
    '# How to book',
    '((booking phone??Phone ((booking phone)) to book an appointment at ((clinic)) (((clinic postcode))).))((booking link??Book online at ((booking link)).))',
    '* Bring this letter with you.\n* Your NHS number is ((nhs number)).\n* Tell us if you have had a serious reaction to a vaccine before.',
    'If you have already had your flu vaccination this year, please let your practice, ((practice)), know.',
    'Yours sincerely,',
  ].join('\n\n'),
  variants: {},
  createdBy: 'bench',
  createdAt: '2026-09-01T00:00:00Z',
  inUse: true,
};

function letters(count: number): PlannedLetter[] {
  return Array.from({ length: count }, (_, i) => ({
    communicationId: i + 1,
    reference: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
    seq: i + 1,
    purpose: 'INVITATION',
    templateName: TEMPLATE.name,
    templateVersion: TEMPLATE.version,
    person: {
      personId: i + 1,
      nhsNumber: String(9990000000 + i),
      givenName: ['Ada', 'Bryn', 'Catrin', 'Dev', 'Efa'][i % 5]!,
      familyName: `Family${i}`,
      dateOfBirth: '1950-01-01',
      addressLines: [`${(i % 200) + 1} High Street`, 'Maidstone'],
      postcode: 'ME14 1AA',
      preferredLanguage: null,
      largePrint: false,
      practiceName: 'Alpha Surgery',
      appointmentDate: null,
      appointmentClinic: null,
      appointmentClinicPostcode: null,
      dueDate: null,
    },
  }));
}

function jobs(count: number, perFile: number, layout: LetterRunLayout = 'BATCH'): FileJob[] {
  const all = letters(count);
  const out: FileJob[] = [];
  for (let i = 0; i < all.length; i += perFile)
    out.push({
      layout,
      letters: all.slice(i, i + perFile),
      templates: [TEMPLATE],
      campaign: CAMPAIGN,
      today: '2026-10-05',
      largePrint: false,
    });
  return out;
}

function write(dir: string, i: number, r: FileResult): number {
  const refused = r.outcomes.find((o) => 'reason' in o);
  if (refused && 'reason' in refused) throw new Error(`A bench letter was refused: ${refused.reason}`);
  if (r.pdf) writeFileSync(join(dir, `letters-${i}.pdf`), r.pdf);
  for (const l of r.letters) writeFileSync(join(dir, `${l.reference}.pdf`), l.pdf);
  return r.pageCount;
}

/**
 * Draws `count` letters in files of `perFile` (production's default, 1,000) with the pool, then on
 * this thread, and times both. PER_LETTER makes one PDF per letter instead (Notify's precompiled
 * route), `perFile` letters to a worker's job.
 */
export async function benchLetters(
  count = 4000,
  perFile = 1000,
  workers = defaultPoolSize(),
  layout: LetterRunLayout = 'BATCH',
): Promise<LetterBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ims-letters-bench-'));
  const pool = new LetterPool(workers);
  try {
    // Warm the workers (start-up, fonts, the JIT: the rate settles after a few hundred letters)
    // outside the timing, as a long run amortises them.
    await Promise.all(Array.from({ length: workers }, () => pool.run(jobs(200, 200)[0]!)));
    let t = performance.now();
    let cpu = process.cpuUsage();
    const results = await Promise.all(jobs(count, perFile, layout).map((j) => pool.run(j)));
    let pages = 0;
    results.forEach((r, i) => (pages += write(dir, i, r)));
    const poolSeconds = (performance.now() - t) / 1000;
    const poolCpuSeconds = cpuSeconds(cpu);

    await produceFile(jobs(200, 200)[0]!); // warm this thread too
    t = performance.now();
    cpu = process.cpuUsage();
    let i = 0;
    for (const j of jobs(count, perFile, layout)) write(dir, i++, await produceFile(j));
    const singleSeconds = (performance.now() - t) / 1000;
    const singleCpuSeconds = cpuSeconds(cpu);
    return {
      layout,
      letters: count,
      perFile,
      workers,
      poolSeconds,
      poolPerSecond: count / poolSeconds,
      singleSeconds,
      singlePerSecond: count / singleSeconds,
      poolCpuSeconds,
      singleCpuSeconds,
      pages,
    };
  } finally {
    await pool.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
}
