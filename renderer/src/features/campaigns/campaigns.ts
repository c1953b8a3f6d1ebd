// Campaign figures as the screens show them: the invitation funnel, the clinics' capacity, and
// the starting release plan for a what-if, and the wording of inviting a cohort.
import type { BatchConfirmResult, BatchPreview, CampaignDetail, CampaignSummary, WavePlan } from '../../../../main-api/contract/campaigns';
import type { ReleaseMode, ReleasePriority } from '../../../../main-api/shared/vocabulary/campaigns';
import { formatShortDate } from '../../../../main-api/shared/calendar/dates';

export interface FunnelStep {
  label: string;
  count: number;
  /** Of the funnel's base (those eligible, or those invited when no cohort is confirmed), as a whole percentage; null when the base is 0. */
  percent: number | null;
}

/** How far the campaign's people have got, step by step, each with its share of the base. */
export function funnelSteps(f: CampaignDetail['funnel']): FunnelStep[] {
  const base = f.eligible > 0 ? f.eligible : f.invited;
  const step = (label: string, count: number): FunnelStep => ({
    label,
    count,
    percent: base === 0 ? null : Math.round((count / base) * 100),
  });
  return [
    step('Eligible (confirmed cohorts)', f.eligible),
    step('Invited', f.invited),
    step('Reminded', f.reminded),
    step('Booked', f.booked),
    step('Attended', f.attended),
    step('Did not attend', f.didNotAttend),
    step('Vaccinated since invited', f.vaccinated),
  ];
}

/** Those booked as a whole percentage of those invited, or null when nobody has been invited. */
export function bookedShare(c: Pick<CampaignSummary, 'invited' | 'booked'>): number | null {
  return c.invited === 0 ? null : Math.round((c.booked / c.invited) * 100);
}

/** The clinics' sessions from a day on, and their slots: what a clinic-sized release can fill. */
export function clinicCapacity(clinics: CampaignDetail['clinics'], from: string): { sessions: number; slots: number } {
  const sessions = clinics.flatMap((c) => c.sessions).filter((s) => s.date >= from);
  return { sessions: sessions.length, slots: sessions.reduce((n, s) => n + s.slots, 0) };
}

/** The form of a release plan: the what-if's inputs, before they are checked. */
export interface PlanForm {
  mode: ReleaseMode;
  cap: number | null;
  startOn: string;
  leadDays: number | null;
  priority: ReleasePriority;
  /** Practice codes, comma-separated, for practice-order. */
  practiceOrder: string;
}

export function defaultPlan(today: string): PlanForm {
  return { mode: 'per-day', cap: 500, startOn: today, leadDays: 7, priority: 'oldest', practiceOrder: '' };
}

/** The plan as the channel takes it; practice codes trimmed, in capitals, in the order written. */
export function planInput(f: PlanForm) {
  return {
    mode: f.mode,
    cap: f.mode === 'clinic' ? null : f.cap,
    startOn: f.startOn,
    leadDays: f.mode === 'clinic' ? (f.leadDays ?? 0) : 0,
    priority: f.priority,
    practiceOrder:
      f.priority === 'practice-order'
        ? f.practiceOrder
            .split(/[,\s]+/)
            .map((c) => c.trim().toUpperCase())
            .filter((c) => c !== '')
        : [],
  };
}

const people = (n: number): string => (n === 1 ? '1 person' : `${n.toLocaleString('en-GB')} people`);

/**
 * What to say when a saved cohort was built for another programme than the campaign's: the
 * database decides whether it may be invited, so this only warns. Null when they agree.
 */
export function cohortCampaignNote(cohortCampaign: string | null, programmeCode: string): string | null {
  if (cohortCampaign === programmeCode) return null;
  return cohortCampaign === null
    ? `This cohort names no programme; the campaign is for ${programmeCode}. The database decides whether it may be invited.`
    : `This cohort was built for ${cohortCampaign}, but the campaign is for ${programmeCode}. The database decides whether it may be invited.`;
}

/** A drafted batch's figures, in the order the screen lists them. */
export function previewRows(
  p: Pick<BatchPreview, 'members' | 'alreadyInvited' | 'noUsableChannel' | 'toInvite'>,
): { label: string; count: number }[] {
  return [
    { label: 'Members in your scope', count: p.members },
    { label: 'Already invited to this campaign', count: p.alreadyInvited },
    { label: 'No usable channel (not invited)', count: p.noUsableChannel },
    { label: 'To invite', count: p.toInvite },
  ];
}

/** The confirmation's question: how many will be invited, and over how many waves when known. */
export function confirmQuestion(toInvite: number, plan: Pick<WavePlan, 'totalWaves' | 'leftOver'> | null): string {
  const invited = plan ? toInvite - plan.leftOver : toInvite;
  const waves = plan ? ` in ${plan.totalWaves === 1 ? '1 wave' : `${plan.totalWaves.toLocaleString('en-GB')} waves`}` : '';
  const left = plan && plan.leftOver > 0 ? ` ${people(plan.leftOver)} beyond the clinics' slots will be left for a later batch.` : '';
  return `Invite ${people(invited)}${waves}?${left}`;
}

/** What a confirmation did, in a sentence. */
export function confirmWording(r: BatchConfirmResult): string {
  if (r.repeated) return `This batch had been confirmed already: nothing new was made (it invited ${people(r.invited)}).`;
  const waves = r.waves.length === 1 ? '1 wave' : `${r.waves.length.toLocaleString('en-GB')} waves`;
  const extra = [
    r.alreadyInvited > 0 ? `${people(r.alreadyInvited)} already invited` : null,
    r.noUsableChannel > 0 ? `${people(r.noUsableChannel)} with no usable channel` : null,
    r.leftOver > 0 ? `${people(r.leftOver)} left for a later batch` : null,
  ].filter((s) => s !== null);
  return `${people(r.invited)} invited in ${waves}; each wave's messages are made on its release day.${extra.length ? ` Not invited: ${extra.join(', ')}.` : ''}`;
}

/** What the daily run did, in a sentence. */
export function dailyRunWording(r: { released: number; reminders: number; consentReminders?: number | null }): string {
  const released = r.released === 1 ? '1 invitation released' : `${r.released.toLocaleString('en-GB')} invitations released`;
  const reminders = r.reminders === 1 ? '1 reminder made' : `${r.reminders.toLocaleString('en-GB')} reminders made`;
  const c = r.consentReminders ?? null;
  const consent =
    c === null ? '' : c === 1 ? ', 1 school consent reminder made' : `, ${c.toLocaleString('en-GB')} school consent reminders made`;
  return `${released}, ${reminders}${consent}.`;
}

/** When a confirmed batch's waves are released: the first and last days, or the one day. */
export function wavesSpan(waves: BatchConfirmResult['waves']): string | null {
  if (waves.length === 0) return null;
  const days = waves.map((w) => w.releaseOn).sort();
  const first = formatShortDate(days[0]!);
  const last = formatShortDate(days[days.length - 1]!);
  return first === last ? `Released on ${first}.` : `Released from ${first} to ${last}.`;
}
