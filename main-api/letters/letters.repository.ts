// All of the letters domain's SQL. Every statement calls an api function of migration 0035,
// which checks the caller's role and scope and audits; this file binds values and turns the
// functions' refusals into the contract's errors. Runs on the signed-in user's connection (or
// the owner's, for the command line).
import type {
  LetterCampaign,
  LetterPerson,
  LetterRunSummary,
  MessageTemplate,
  ProductionStartInput,
  TemplateSaveInput,
} from '../contract/letters';
import { withRefusals } from '../platform/db/errors';
import { queryOne, type Queryable } from '../platform/db/database';
import type { LetterRunLayout } from '../shared/vocabulary/letters';
import type { LetterOutcome } from './letter-file';
import type { PlannedLetter } from './letter.rules';

/** The functions' own refusals, with their own words. */
function mapped<T>(work: Promise<T>): Promise<T> {
  return withRefusals(work, {
    P0002: 'NOT_FOUND',
    '23505': 'CONFLICT',
    '40001': 'CONFLICT',
    '55000': 'CONFLICT',
    '23514': 'VALIDATION',
    '22023': 'VALIDATION',
  });
}

async function one<T>(db: Queryable, sql: string, params: unknown[]): Promise<T> {
  const row = await mapped(queryOne<{ v: T }>(db, sql, params));
  return row!.v;
}

export interface RunOpened {
  runId: number;
  resumed: boolean;
  layout: LetterRunLayout;
  perFile: number;
  dueBy: string;
  largePrint: boolean;
  campaign: LetterCampaign;
  produced: number;
  failed: number;
  remaining: number;
}

export interface PlannedFile {
  fileNo: number | null;
  letters: PlannedLetter[];
  templates: MessageTemplate[];
}

export class LettersRepository {
  constructor(private readonly db: Queryable) {}

  /** A campaign's templates, or with null the standing templates (0078). */
  templates(campaignCode: string | null): Promise<MessageTemplate[]> {
    if (campaignCode === null) return one(this.db, 'SELECT api.standing_templates() AS v', []);
    return one(this.db, 'SELECT api.message_templates($1) AS v', [campaignCode]);
  }

  saveTemplate(t: TemplateSaveInput): Promise<MessageTemplate> {
    const fields = [t.name, t.purpose, t.channel, t.subject, t.body, JSON.stringify(t.variants), t.basedOn, t.use];
    if (t.campaignCode === null)
      return one(this.db, 'SELECT api.standing_template_save($1, $2, $3, $4, $5, $6::jsonb, $7, $8) AS v', fields);
    return one(this.db, 'SELECT api.message_template_save($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9) AS v', [t.campaignCode, ...fields]);
  }

  /** The person's and campaign's data for a preview (an audited read); null when the person is not available. */
  previewData(campaignCode: string | null, personId: number): Promise<{ campaign: LetterCampaign; person: LetterPerson } | null> {
    return one(this.db, 'SELECT api.letter_preview_data($1, $2) AS v', [campaignCode, personId]);
  }

  openRun(i: ProductionStartInput): Promise<RunOpened> {
    return one(this.db, 'SELECT api.letter_run_open($1, $2, $3, $4, $5, $6) AS v', [
      i.campaignCode,
      i.layout,
      i.perFile,
      i.purpose,
      i.dueBy,
      i.largePrint,
    ]);
  }

  nextFile(runId: number, busy: readonly number[]): Promise<PlannedFile> {
    return one(this.db, 'SELECT api.letter_run_next_file($1, $2::integer[]) AS v', [runId, busy]);
  }

  fileDone(runId: number, fileNo: number, outcomes: readonly LetterOutcome[]): Promise<number> {
    return one(this.db, 'SELECT api.letter_run_file_done($1, $2, $3::jsonb) AS v', [runId, fileNo, JSON.stringify(outcomes)]);
  }

  finish(runId: number, cancel: boolean): Promise<LetterRunSummary> {
    return one(this.db, 'SELECT api.letter_run_finish($1, $2) AS v', [runId, cancel]);
  }

  summary(runId: number): Promise<LetterRunSummary> {
    return one(this.db, 'SELECT api.letter_run_summary($1) AS v', [runId]);
  }

  runs(campaignCode: string): Promise<LetterRunSummary[]> {
    return one(this.db, 'SELECT api.letter_runs($1) AS v', [campaignCode]);
  }
}
