// Phased release: how many people each wave invites and when. The confirmation does the same
// in the database (api.invitation_batch_confirm, migration 0032) for the people themselves; this
// answers the coordinator's what-if without writing anything, and a test checks they agree.
import type { ReleasePlan, Wave, WavePlan } from '../contract/campaigns';
import { addDays } from '../shared/calendar/dates';

/** The what-if lists at most this many waves (a cap of 1 a day would otherwise list everyone). */
export const MAX_WAVES_LISTED = 1000;

/** Clinic slots on one day, from the campaign's sessions. */
export interface ClinicDay {
  day: string;
  slots: number;
}

/**
 * The waves for `people` people under a plan. per-day and per-week: waves of `cap` from startOn,
 * a day or a week apart, until everyone is placed. clinic: one wave per clinic day on or after
 * startOn + leadDays, as big as its slots, released leadDays before it; people beyond the last
 * day's slots are left over for a later batch.
 */
export function planWaves(people: number, plan: ReleasePlan, clinicDays: readonly ClinicDay[]): WavePlan {
  const waves: Wave[] = [];
  let placed = 0;
  let totalWaves = 0;
  let lastRelease: string | null = null;
  if (plan.mode === 'clinic') {
    const from = addDays(plan.startOn, plan.leadDays);
    const days = clinicDays.filter((d) => d.day >= from && d.slots > 0).sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    for (const d of days) {
      if (placed >= people) break;
      const n = Math.min(d.slots, people - placed);
      placed += n;
      totalWaves += 1;
      lastRelease = addDays(d.day, -plan.leadDays);
      if (waves.length < MAX_WAVES_LISTED)
        waves.push({ wave: totalWaves, releaseOn: lastRelease, people: n, slots: d.slots, clinicDay: d.day });
    }
    const leftOver = people - placed;
    return { people, waves, totalWaves, exhaustedOn: leftOver === 0 ? lastRelease : null, leftOver };
  }
  const cap = plan.cap ?? 0;
  if (cap < 1) throw new Error('A cap of at least 1 is needed to release per day or per week.');
  const step = plan.mode === 'per-day' ? 1 : 7;
  totalWaves = Math.ceil(people / cap);
  for (let w = 1; w <= Math.min(totalWaves, MAX_WAVES_LISTED); w++) {
    waves.push({
      wave: w,
      releaseOn: addDays(plan.startOn, (w - 1) * step),
      people: Math.min(cap, people - (w - 1) * cap),
      slots: cap,
      clinicDay: null,
    });
  }
  return {
    people,
    waves,
    totalWaves,
    exhaustedOn: totalWaves === 0 ? null : addDays(plan.startOn, (totalWaves - 1) * step),
    leftOver: 0,
  };
}
