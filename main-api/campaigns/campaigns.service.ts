// Campaign use cases: set-up, drafting and confirming invitation batches in waves, the what-if,
// a person's campaign record, the Notify export, reminders, recall and bookings. The database
// decides who may do what and for whom (migration 0032); this checks requests for the user,
// plans waves for the what-if and reads and writes the files.
import type { DataSource } from 'typeorm';
import type { CampaignDetail, CampaignHandlers, CampaignSaveInput, NotifyExport, NotifyExportInput } from '../contract/campaigns';
import { AppError, conflictWith, personNotFound } from '../contract/result';
import type { Queryable } from '../platform/db/database';
import { violatesConstraint } from '../platform/db/errors';
import { todayInLondon } from '../shared/calendar/england';
import { BOOKING_ROUTE_LABELS } from '../shared/vocabulary/campaigns';
import { CONSENT_REMINDER_DAYS } from '../shared/vocabulary/schools';
import { CampaignsRepository } from './campaigns.repository';
import { notifyCsv, parseBookingCsv, type RowIssue } from './campaign-files.rules';
import { planWaves } from './waves.rules';

/** What the record-view audit says a campaign record was opened for. */
const RECORD_PURPOSE = 'Campaign record';

/** How to book, in the words a message uses. */
export function howToBook(c: Pick<CampaignDetail, 'bookingRoute' | 'bookingUrl' | 'bookingPhone'>): string {
  if (c.bookingRoute === 'LOCAL_LINK' && c.bookingUrl) return `Book online at ${c.bookingUrl}`;
  if (c.bookingRoute === 'PHONE' && c.bookingPhone) return `Call ${c.bookingPhone} to book`;
  return `${BOOKING_ROUTE_LABELS.NATIONAL}: book in the NHS App, online at www.nhs.uk or by calling 119`;
}

/** The Notify bulk-send file for a campaign's pending communications of one purpose and channel. */
export async function exportNotify(db: DataSource, input: NotifyExportInput, today: string): Promise<NotifyExport> {
  const repo = new CampaignsRepository(db);
  const dueBy = input.dueBy ?? today;
  return db.transaction(async (tx) => {
    const txRepo = new CampaignsRepository(tx);
    const campaign = await repo.detail(input.campaignCode);
    // Messages are made when their wave is released: release the waves planned up to the day first.
    if (input.purpose === 'INVITATION') await txRepo.release(input.campaignCode, dueBy);
    const rows = await txRepo.exportRows(input.campaignCode, input.batchId, input.purpose, input.channel, dueBy, input.markSent);
    const csv = notifyCsv(input.channel, { name: campaign.name, howToBook: howToBook(campaign) }, rows);
    const batch = input.batchId === null ? '' : `-batch${input.batchId}`;
    return { fileName: `${campaign.code}${batch}-${input.purpose}-${input.channel}-${dueBy}.csv`, csv, rows: rows.length };
  });
}

/** Imports a booking system's CSV as one change: any bad row, and nothing is written. */
export async function importBookings(db: DataSource, campaignCode: string, csv: string) {
  const parsed = parseBookingCsv(csv);
  if (parsed.issues.some((i) => i.row === 0))
    throw new AppError('VALIDATION', parsed.issues[0]!.message, { kind: 'rows', rows: parsed.issues });
  return db.transaction(async (tx) => {
    const result = await CampaignsRepository.importBookings(tx, campaignCode, parsed.rows);
    const issues: RowIssue[] = [...parsed.issues, ...result.issues].sort((a, b) => a.row - b.row);
    if (issues.length > 0) {
      // Thrown inside the transaction, so whatever the database wrote is rolled back.
      throw new AppError(
        'VALIDATION',
        `${issues.length} row${issues.length === 1 ? '' : 's'} of the file cannot be imported; nothing was imported.`,
        { kind: 'rows', rows: issues },
      );
    }
    return { added: result.added, updated: result.updated, followUps: result.followUps };
  });
}

/** Makes the invitation messages of a campaign's waves planned up to a day (those not made yet). */
export function releaseWaves(db: Queryable, campaignCode: string, upTo: string): Promise<number> {
  return new CampaignsRepository(db).release(campaignCode, upTo);
}

/**
 * The daily run of one campaign, or of every campaign the caller runs: releases the waves due
 * by today (their invitation messages), then makes the reminders due, and, for a caller who runs
 * school sessions, the consent reminders of the sessions in the next few days (null otherwise).
 * Each step is safe to run again or at the same time as another run.
 */
export async function runReminders(
  db: DataSource,
  campaignCode: string | null,
  today: string,
): Promise<{ released: number; reminders: number; consentReminders: number | null }> {
  const repo = new CampaignsRepository(db);
  const released = await repo.release(campaignCode, today);
  const reminders = await repo.runReminders(campaignCode, today);
  return { released, reminders, consentReminders: await repo.consentReminders(today, CONSENT_REMINDER_DAYS) };
}

export function runRecall(db: DataSource, campaignCode: string, today: string): Promise<number> {
  return new CampaignsRepository(db).runRecall(campaignCode, today);
}

/** Creates or replaces a campaign's set-up (templates and reminder rules with it), in one transaction. */
export async function saveCampaign(db: DataSource, input: CampaignSaveInput): Promise<CampaignDetail> {
  // A new campaign never quietly replaces one that has its code: the database's save, told it
  // is a creation, only inserts, so the code's unique key refuses a taken code, even one taken
  // at the same instant in another session (or out of the caller's scope).
  try {
    await db.transaction((tx) => CampaignsRepository.save(tx, input));
  } catch (error) {
    if (input.create && violatesConstraint(error, 'campaign_code_key'))
      throw conflictWith(`There is a campaign ${input.code} already: choose another code, or open that campaign to change it.`, null);
    throw error;
  }
  return new CampaignsRepository(db).detail(input.code);
}

export function getCampaign(db: DataSource, code: string): Promise<CampaignDetail> {
  return new CampaignsRepository(db).detail(code);
}

export function listCampaigns(db: DataSource) {
  return new CampaignsRepository(db).list();
}

/** The handlers for the campaign channels, bound to a signed-in user's connection. */
export function createCampaignHandlers(ds: DataSource, today: () => string = () => todayInLondon()): CampaignHandlers {
  const repo = new CampaignsRepository(ds);
  return {
    'campaign.list': () => repo.list(),
    'campaign.get': (i) => repo.detail(i.code),
    'campaign.save': (i) => saveCampaign(ds, i),
    'campaign.clinic.save': async (i) => {
      await repo.saveClinic(i);
      return repo.detail(i.campaignCode);
    },
    'campaign.session.save': async (i) => ({ sessionId: await repo.saveSession(i) }),
    'campaign.batch.draft': async (i) => repo.preview(await repo.draft(i.campaignCode, i.definition, i.draftKey)),
    'campaign.batch.preview': (i) => repo.preview(i.batchId),
    'campaign.waves.plan': async (i) => {
      const preview = await repo.preview(i.batchId);
      const days = i.plan.mode === 'clinic' ? await repo.dailySlots(preview.campaignCode, i.plan.startOn) : [];
      return planWaves(preview.toInvite, i.plan, days);
    },
    'campaign.batch.confirm': (i) => repo.confirm(i.batchId, i.plan),
    'campaign.person.record': async (i) => {
      const record = await repo.personRecord(i.personId, RECORD_PURPOSE);
      if (record === null) throw personNotFound();
      return record;
    },
    'campaign.notify.export': (i) => exportNotify(ds, i, today()),
    'campaign.reminders.run': (i) => runReminders(ds, i.campaignCode, today()),
    'campaign.recall.run': async (i) => ({ created: await runRecall(ds, i.campaignCode, today()) }),
    'campaign.booking.record': (i) => repo.recordBooking(i.campaignCode, i.personId, i.clinicSessionId, i.bookedFor, i.status, i.reference),
    'campaign.bookings.import': (i) => importBookings(ds, i.campaignCode, i.csv),
  };
}
