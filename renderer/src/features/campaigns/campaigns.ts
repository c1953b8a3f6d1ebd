// Campaign figures as the screens show them: the invitation funnel, the clinics' capacity, and
// the starting release plan for a what-if.
import type { CampaignDetail, CampaignSummary } from '../../../../main-api/contract/campaigns';
import type { ReleaseMode, ReleasePriority } from '../../../../main-api/shared/vocabulary/campaigns';

export interface FunnelStep {
  label: string;
  count: number;
  /** Of those invited, as a whole percentage; null when nobody has been invited. */
  percent: number | null;
}

/** Invited, then booked (booked or attended): each with its share of those invited. */
export function funnel(c: Pick<CampaignSummary, 'invited' | 'booked'>): FunnelStep[] {
  const pct = (n: number): number | null => (c.invited === 0 ? null : Math.round((n / c.invited) * 100));
  return [
    { label: 'Invited', count: c.invited, percent: pct(c.invited) },
    { label: 'Booked', count: c.booked, percent: pct(c.booked) },
  ];
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
