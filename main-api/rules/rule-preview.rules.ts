// What a rule file would change for the people it reaches: each person's status rows under the
// rule set in force and under the same set with the file, compared row by row. Pure: the
// service reads the people and writes nothing.
import type { CompiledRules, EventInput, Forecast, PersonInput } from '../schedule';
import { forecast } from '../schedule';
import { statusRows, type StatusRow } from '../schedule-status';
import type { RulePreview } from '../contract/rules';

/** Examples shown with the engine's explanations. */
const EXAMPLES = 5;

interface PersonToCompare {
  personId: number;
  person: PersonInput;
  events: EventInput[];
}

/** Whether two rows say the same thing to a worklist (the rules version aside). */
function sameRow(a: StatusRow | undefined, b: StatusRow | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.status === b.status &&
    a.nextDose === b.nextDose &&
    a.dueDate === b.dueDate &&
    a.overdueFrom === b.overdueFrom &&
    a.latestDate === b.latestDate &&
    a.name === b.name
  );
}

/** The engine's explanation of a series, or of a campaign with the reasons it gives. */
function explanation(f: Forecast, id: string): string[] {
  const s = f.series.find((x) => x.seriesId === id);
  if (s) return s.explanation;
  const c = f.campaigns.find((x) => x.campaignId === id);
  return c ? [...c.explanation, ...c.reasons] : [];
}

const summary = (r: StatusRow | undefined) => (r ? { status: r.status, dueDate: r.dueDate, rulesVersion: r.rulesVersion } : null);

export interface PreviewCounts {
  considered: number;
  changed: number;
  transitions: RulePreview['transitions'];
  examples: RulePreview['examples'];
}

/** Compares everyone given on day under both rule sets; a person the engine cannot evaluate is skipped. */
export function comparePeople(before: CompiledRules, after: CompiledRules, people: readonly PersonToCompare[], day: string): PreviewCounts {
  const transitions = new Map<string, RulePreview['transitions'][number]>();
  const examples: RulePreview['examples'] = [];
  let considered = 0;
  let changed = 0;
  for (const p of people) {
    if (p.person.dateOfBirth > day) continue;
    let rowsBefore: StatusRow[];
    let rowsAfter: StatusRow[];
    try {
      rowsBefore = statusRows(before, forecast(before, p.person, p.events, day, { explain: false }));
      rowsAfter = statusRows(after, forecast(after, p.person, p.events, day, { explain: false }));
    } catch {
      continue;
    }
    considered++;
    const b = new Map(rowsBefore.map((r) => [r.seriesId, r]));
    const a = new Map(rowsAfter.map((r) => [r.seriesId, r]));
    const ids = [...new Set([...b.keys(), ...a.keys()])].filter((id) => !sameRow(b.get(id), a.get(id)));
    if (ids.length === 0) continue;
    changed++;
    for (const id of ids) {
      const from = b.get(id)?.status ?? null;
      const to = a.get(id)?.status ?? null;
      const key = `${id}|${from}|${to}`;
      const row = (a.get(id) ?? b.get(id)) as StatusRow;
      const t = transitions.get(key) ?? { seriesId: id, kind: row.kind, name: row.name, from, to, persons: 0 };
      t.persons++;
      transitions.set(key, t);
    }
    if (examples.length < EXAMPLES) {
      // Worked out again with explanations, for the few shown.
      const fb = forecast(before, p.person, p.events, day);
      const fa = forecast(after, p.person, p.events, day);
      examples.push({
        personId: p.personId,
        dateOfBirth: p.person.dateOfBirth,
        changes: ids.map((id) => ({
          seriesId: id,
          kind: ((a.get(id) ?? b.get(id)) as StatusRow).kind,
          name: ((a.get(id) ?? b.get(id)) as StatusRow).name,
          before: summary(b.get(id)),
          after: summary(a.get(id)),
          explanationBefore: explanation(fb, id),
          explanationAfter: explanation(fa, id),
        })),
      });
    }
  }
  const list = [...transitions.values()].sort((x, y) => y.persons - x.persons || x.seriesId.localeCompare(y.seriesId));
  return { considered, changed, transitions: list, examples };
}
