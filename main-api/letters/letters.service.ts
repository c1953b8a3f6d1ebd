// The letters domain's channels: templates (saved as new versions, unknown fields refused by the
// contract before the database refuses them too), previews with a real person's data, and
// production runs kept running in the background while the screen polls their progress.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LetterHandlers, Preview, PreviewInput, ProductionProgress } from '../contract/letters';
import { AppError } from '../contract/result';
import type { Queryable } from '../platform/db/database';
import { smsLength } from '../shared/messages/template-text';
import { renderLetters } from './letter.pdf';
import { addressBlock, languageFor, mergeValuesFor, textIn } from './letter.rules';
import { mergeTemplate } from '../shared/messages/template-text';
import { LettersRepository } from './letters.repository';
import { batchFileName, startProduction, type ProductionRun } from './production.service';

/** Runs producing in this process, by run id (the database decides who may see each). */
const active = new Map<number, ProductionRun>();

const MAX_FILE_BYTES = 64 * 1024 * 1024;

async function previewTemplate(db: Queryable, input: PreviewInput, today: string): Promise<Preview> {
  const data = await new LettersRepository(db).previewData(input.campaignCode, input.personId);
  if (!data) throw new AppError('NOT_FOUND', 'No person with that id is available to you.');
  const { person, campaign } = data;
  const language = input.language ?? languageFor(person, input);
  const text = textIn(input, language);
  const values = mergeValuesFor(person, campaign, today, language);
  const subject = text.subject ? mergeTemplate(text.subject, values) : null;
  const merged = mergeTemplate(text.body, values);
  const largePrint = input.largePrint || person.largePrint;
  let pdf: Preview['pdf'] = null;
  let addressProblem: string | null = null;
  if (input.channel === 'LETTER') {
    const address = addressBlock(person);
    // A person without a postable address still sees the letter, with the problem named.
    const lines = address.ok ? address.lines : [`${person.givenName} ${person.familyName}`, ...person.addressLines, person.postcode ?? ''];
    if (!address.ok) addressProblem = address.reason;
    const { pdf: bytes } = await renderLetters(
      [
        {
          nhsNumber: person.nhsNumber,
          address: lines.filter((l) => l.trim() !== ''),
          language,
          largePrint,
          subject,
          body: merged,
          date: today,
        },
      ],
      { organisationName: campaign.organisationName },
    );
    pdf = { fileName: `preview-${campaign.code}-${person.personId}.pdf`, contentType: 'application/pdf', base64: bytes.toString('base64') };
  }
  return {
    personName: `${person.givenName} ${person.familyName}`,
    language,
    largePrint,
    subject,
    text: merged,
    sms: input.channel === 'SMS' ? smsLength(merged) : null,
    pdf,
    addressProblem,
  };
}

export function createLetterHandlers(db: Queryable, today: () => string, outDir: () => string): LetterHandlers {
  const repo = new LettersRepository(db);

  /** A run's progress: this process's own while it produces, otherwise the database's account. */
  async function progressOf(runId: number): Promise<ProductionProgress> {
    const summary = await repo.summary(runId); // refuses a run the caller may not see
    const run = active.get(runId);
    if (run) return run.progress();
    return {
      runId,
      state: summary.status === 'DONE' ? 'done' : summary.status === 'CANCELLED' ? 'cancelled' : 'failed',
      resumed: false,
      produced: summary.produced,
      failed: summary.failed,
      total: summary.produced + summary.failed + summary.remaining,
      lettersPerSecond: 0,
      secondsLeft: null,
      error: summary.status === 'RUNNING' ? 'This run was interrupted. Start production again to resume it.' : null,
      files: summary.files.map((f) => ({ ...f, fileName: batchFileName(f.fileNo) })),
      failures: summary.failures.map(({ communicationId, personId, reason }) => ({ communicationId, personId, reason })),
      manifest: null,
    };
  }

  return {
    'letters.templates': ({ campaignCode }) => repo.templates(campaignCode),
    'letters.template.save': (input) => repo.saveTemplate(input),
    'letters.preview': (input) => previewTemplate(db, input, today()),
    'letters.runs': ({ campaignCode }) => repo.runs(campaignCode),
    'letters.production.start': async (input) => {
      const run = await startProduction(db, input, { outDir: outDir(), today: today() });
      const existing = active.get(run.runId);
      if (existing) {
        // Already producing here (a second start of the same run): keep the first.
        run.cancel();
        return existing.progress();
      }
      active.set(run.runId, run);
      void run.done.finally(() => setTimeout(() => active.delete(run.runId), 60_000).unref());
      const first = run.progress();
      // Nothing to produce: the run is closed before answering, so the answer is its end.
      if (first.total === first.produced + first.failed) return run.done;
      return first;
    },
    'letters.production.progress': ({ runId }) => progressOf(runId),
    'letters.production.cancel': async ({ runId }) => {
      const summary = await repo.summary(runId);
      const run = active.get(runId);
      if (run) {
        run.cancel();
        await run.done;
      } else if (summary.status === 'RUNNING') {
        await repo.finish(runId, true);
      }
      return progressOf(runId);
    },
    'letters.production.file': async ({ runId, fileNo }) => {
      const summary = await repo.summary(runId);
      if (summary.layout !== 'BATCH') throw new AppError('VALIDATION', 'A per-letter run has one PDF per letter: open its folder.');
      if (!summary.files.some((f) => f.fileNo === fileNo && f.letters > 0))
        throw new AppError('NOT_FOUND', `Run ${runId} has no file ${fileNo}.`);
      const path = join(outDir(), `${summary.campaignCode}-run${runId}`, batchFileName(fileNo));
      const size = await stat(path).then(
        (s) => s.size,
        () => null,
      );
      if (size === null) throw new AppError('NOT_FOUND', `File ${batchFileName(fileNo)} is not in this computer's letters folder.`);
      if (size > MAX_FILE_BYTES) throw new AppError('VALIDATION', 'The file is too large to open here: open it from the letters folder.');
      return { fileName: batchFileName(fileNo), contentType: 'application/pdf', base64: (await readFile(path)).toString('base64') };
    },
  };
}
