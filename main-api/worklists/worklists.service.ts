// Child health: the register, worklists tracked to zero, actions on a child and the
// did-not-attend list, as the signed-in user. The database filters, scopes, audits and counts;
// this adds the engine's own explanation of why each listed child's doses are owed, the next
// step for a missed appointment, and the CSV.
import type { DataSource } from 'typeorm';
import type { WorklistHandlers, WorklistRow, ChildActionView } from '../contract/worklists';
import { personNotFound } from '../contract/result';
import { loadPersonForecastInputs } from '../forecast';
import type { Queryable } from '../platform/db/database';
import { forecast, type CompiledRules, type RuleSource } from '../schedule';
import { WorklistRepository, type RawWorklistView } from './worklists.repository';
import { dnaNextAction, owedExplanations, registerCsv } from './worklists.rules';

/** The most rows one export writes. */
const EXPORT_LIMIT = 100_000;

/**
 * The engine's explanation of each owed series for these rows: the children's records are read
 * once (audited, purpose 'worklist') and forecast on today with the rules in force.
 */
async function withWhy(db: Queryable, rules: CompiledRules, rows: RawWorklistView['rows'], today: string): Promise<WorklistRow[]> {
  const inputs = await loadPersonForecastInputs(
    db,
    rows.map((r) => r.personId),
    'worklist',
  );
  return rows.map((r) => {
    const input = inputs.get(r.personId);
    if (!input) return { ...r, why: [] };
    const f = forecast(rules, input.person, input.events, today);
    return {
      ...r,
      why: owedExplanations(
        r.owed,
        f.series.map((s) => ({ seriesId: s.seriesId, seriesName: s.seriesName, status: s.status, explanation: s.explanation })),
      ),
    };
  });
}

export function createWorklistHandlers(ds: DataSource, rules: RuleSource, today: () => string): WorklistHandlers {
  const repo = new WorklistRepository(ds);
  return {
    'childHealth.register.page': async ({ filter, sort, descending, after, limit }) =>
      repo.registerPage(filter, sort, descending, after, limit, today()),

    'childHealth.register.counts': async ({ filter }) => {
      const c = await repo.registerCounts(filter, today());
      return {
        total: Number(c.total ?? 0),
        OVERDUE: Number(c.OVERDUE ?? 0),
        DUE: Number(c.DUE ?? 0),
        INCOMPLETE: Number(c.INCOMPLETE ?? 0),
        COMPLETE: Number(c.COMPLETE ?? 0),
      };
    },

    'childHealth.register.export': async ({ filter, sort }) => {
      const day = today();
      const rows = await repo.registerExport(filter, sort, day, EXPORT_LIMIT);
      return { fileName: `child-register-${day}.csv`, csv: registerCsv(rows), rows: rows.length };
    },

    'worklists.list': async () => repo.list(),
    'worklists.assignees': async () => repo.assignees(),

    'worklists.create': async ({ name, filter, groupBy, assignTo }) => repo.create(name, filter, groupBy, assignTo, today()),

    'worklists.assign': async ({ id, assignTo }) => {
      await repo.assign(id, assignTo);
      return { id };
    },

    'worklists.open': async ({ id, group, after, limit }) => {
      const day = today();
      const view = await repo.open(id, group, after, limit, day);
      const rows = view.rows.length === 0 ? [] : await withWhy(ds, await rules(day), view.rows, day);
      return { ...view, rows };
    },

    'childHealth.action.record': async (input) => repo.recordAction(input),

    'childHealth.person.actions': async ({ personId }) => {
      const actions = await repo.personActions(personId);
      if (actions === null) throw personNotFound();
      return actions as ChildActionView[];
    },

    'childHealth.dna.page': async ({ after, limit }) => {
      const page = await repo.dnaPage(after, limit, today());
      return { rows: page.rows.map((r) => ({ ...r, nextAction: dnaNextAction(r) })), next: page.next };
    },
  };
}
