// Campaign figures as the screens show them: the invitation funnel, the clinics' capacity, and
// the starting release plan for a what-if.
import type { CampaignDetail, CampaignSummary } from '../../../../main-api/contract/campaigns';
import type { ReleaseMode, ReleasePriority } from '../../../../main-api/shared/vocabulary/campaigns';

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
