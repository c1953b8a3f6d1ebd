// The cohort being built, kept while the user visits other screens: the form, the saved
// definition it came from (and the version), and the breakdowns asked for.
import { defineStore } from 'pinia';
import type { SavedCohort } from '../../../../main-api/contract/cohorts';
import type { CohortBreakdown } from '../../../../main-api/shared/vocabulary/cohorts';
import { DEFAULT_BREAKDOWNS, orderBreakdowns } from './breakdowns';
import {
  addMember,
  buildDefinition,
  definitionToDraft,
  emptyDraft,
  newCriterion,
  newGroup,
  removeNode,
  setGroupKind,
  setValue,
  type CohortDraft,
  type CriterionKind,
  type FieldValue,
  type GroupKind,
} from './cohort-tree';

export interface OpenedCohort {
  id: number;
  /** The version the form was opened from (or last saved as): a save is based on it. */
  version: number;
  latest: number;
  history: SavedCohort['history'];
}

export const useCohortStore = defineStore('cohort-builder', {
  state: () => ({
    draft: null as CohortDraft | null,
    /** Whose form it is: another user signing in to the same window starts afresh. */
    user: null as string | null,
    opened: null as OpenedCohort | null,
    /** Changed since it was opened or saved. */
    dirty: false,
    breakdowns: [...DEFAULT_BREAKDOWNS] as CohortBreakdown[],
  }),
  getters: {
    /** The definition to count (a missing name does not stop a count). */
    forCount: (state) => (state.draft ? buildDefinition(state.draft, { forCount: true }) : null),
    /** The definition to save. */
    forSave: (state) => (state.draft ? buildDefinition(state.draft) : null),
  },
  actions: {
    /** A fresh form, unless this user is already building one. */
    start(today: string, user: string | null): void {
      if (this.draft === null || this.user !== user) this.startNew(today);
      this.user = user;
    },
    startNew(today: string): void {
      this.draft = emptyDraft(today);
      this.opened = null;
      this.dirty = false;
    },
    open(saved: SavedCohort): void {
      this.draft = definitionToDraft(saved.definition);
      this.opened = { id: saved.id, version: saved.version, latest: saved.latest, history: saved.history };
      this.dirty = false;
    },
    saved(id: number, version: number, note: string | null, savedBy: string, savedAt: string): void {
      const history = this.opened?.id === id ? this.opened.history : [];
      this.opened = { id, version, latest: version, history: [{ version, savedBy, savedAt, note }, ...history] };
      this.dirty = false;
    },
    edit(change: (draft: CohortDraft) => CohortDraft): void {
      if (!this.draft) return;
      this.draft = change(this.draft);
      this.dirty = true;
    },
    setField<K extends 'name' | 'campaign' | 'referenceDate'>(key: K, value: CohortDraft[K]): void {
      this.edit((d) => {
        // Naming a campaign leaves out those already vaccinated in it, unless turned off.
        const exclusions =
          key === 'campaign' && d.campaign === null && value !== null ? { ...d.exclusions, alreadyVaccinated: true } : d.exclusions;
        return { ...d, [key]: value, exclusions };
      });
    },
    setExclusion<K extends keyof CohortDraft['exclusions']>(key: K, value: CohortDraft['exclusions'][K]): void {
      this.edit((d) => ({ ...d, exclusions: { ...d.exclusions, [key]: value } }));
    },
    addCriterion(groupId: number, kind: CriterionKind): number {
      const c = newCriterion(kind);
      this.edit((d) => ({ ...d, root: addMember(d.root, groupId, c) }));
      return c.id;
    },
    addGroup(groupId: number, kind: GroupKind): number {
      const g = newGroup(kind);
      this.edit((d) => ({ ...d, root: addMember(d.root, groupId, g) }));
      return g.id;
    },
    remove(id: number): void {
      this.edit((d) => ({ ...d, root: removeNode(d.root, id) }));
    },
    setGroupKind(groupId: number, kind: GroupKind): void {
      this.edit((d) => ({ ...d, root: setGroupKind(d.root, groupId, kind) }));
    },
    setValue(id: number, field: string, value: FieldValue): void {
      this.edit((d) => ({ ...d, root: setValue(d.root, id, field, value) }));
    },
    setBreakdowns(chosen: CohortBreakdown[]): void {
      this.breakdowns = orderBreakdowns(chosen);
    },
  },
});
