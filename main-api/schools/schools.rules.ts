// Pure rules of a school session: which consent counts, and the day's lists. The database applies the same consent rule where it refuses a
// vaccination without consent (migrations/0070, api.school_outcome_record).
import type { ConsentResponse, GillickOutcome } from '../shared/vocabulary/schools';

/** A competent child's own decision stands, whatever the parent answered; otherwise the parent's response. */
export function effectiveConsent(response: ConsentResponse, gillick: GillickOutcome | null): ConsentResponse {
  if (gillick === 'COMPETENT_CONSENTS') return 'GIVEN';
  if (gillick === 'COMPETENT_REFUSES') return 'REFUSED';
  return response;
}

/** The day's three lists, in the order the team works through them. */
export function listsForTheDay<T extends { consent: ConsentResponse }>(children: readonly T[]): Record<ConsentResponse, T[]> {
  const lists: Record<ConsentResponse, T[]> = { GIVEN: [], REFUSED: [], NOT_RETURNED: [] };
  for (const c of children) lists[c.consent].push(c);
  return lists;
}
