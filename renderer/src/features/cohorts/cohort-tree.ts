// The cohort builder's working copy of a definition: a tree of groups and criteria as the form
// edits them (text boxes hold text, lists are chosen codes), turned into a definition the
// contract's schema checks, with each of the schema's messages placed back on the node and field
// it is about.
import {
  CohortDefinition,
  CRITERION_KINDS,
  type CohortNode,
  type Criterion,
  type CohortDefinition as Definition,
} from '../../../../main-api/contract/cohorts';

export type CriterionKind = (typeof CRITERION_KINDS)[number];
export type GroupKind = 'all' | 'any' | 'not';

/** A field of a criterion as the form holds it: text, a number box, chosen codes, or a yes/no/either choice. */
export type FieldValue = string | number | null | string[];

export interface CriterionDraft {
  id: number;
  type: 'criterion';
  kind: CriterionKind;
  values: Record<string, FieldValue>;
}
export interface GroupDraft {
  id: number;
  type: 'group';
  /** 'not' reads "none of": with one member it is NOT that member, with several NOT any of them. */
  kind: GroupKind;
  members: NodeDraft[];
}
export type NodeDraft = GroupDraft | CriterionDraft;

interface ExclusionsDraft {
  alreadyVaccinated: boolean;
  deceased: boolean;
  noLongerRegistered: boolean;
  optedOutOfEveryChannel: boolean;
  noUsableContact: boolean;
  invitedWithinDays: number | null;
}

export interface CohortDraft {
  name: string;
  campaign: string | null;
  referenceDate: string;
  root: GroupDraft;
  exclusions: ExclusionsDraft;
}

export const GROUP_KIND_LABELS: Record<GroupKind, string> = { all: 'All of', any: 'Any of', not: 'None of' };

export const CRITERION_KIND_LABELS: Record<CriterionKind, string> = {
  age: 'Age',
  dateOfBirth: 'Date of birth',
  gender: 'Gender',
  ethnicity: 'Ethnicity',
  postcode: 'Postcode',
  lsoa: 'LSOA',
  imdDecile: 'IMD decile',
  localAuthority: 'Local authority',
  icb: 'ICB',
  practice: 'GP practice',
  school: 'School',
  flags: 'Clinical flags',
  staff: 'Staff',
  vaccination: 'Vaccination',
  invitation: 'Invitation',
};

/** Criteria whose value is a bare list of codes: the form holds it in the field 'codes'. */
const LIST_KINDS = new Set<CriterionKind>(['gender', 'lsoa', 'localAuthority', 'icb', 'practice']);
/** Fields typed as comma-separated text (the others are chosen from the vocabulary). */
const TEXT_LISTS: Partial<Record<CriterionKind, readonly string[]>> = {
  postcode: ['areas', 'districts', 'sectors'],
  lsoa: ['codes'],
  localAuthority: ['codes'],
  icb: ['codes'],
  practice: ['codes'],
  school: ['urns', 'yearGroups'],
  staff: ['employers'],
};
const isTextList = (kind: CriterionKind, field: string): boolean => TEXT_LISTS[kind]?.includes(field) ?? false;

let lastId = 0;
const nextId = (): number => ++lastId;

/** The form's starting values for a new criterion of a kind. */
function blankValues(kind: CriterionKind): Record<string, FieldValue> {
  switch (kind) {
    case 'age':
      return { unit: 'years', min: null, max: null, on: '' };
    case 'dateOfBirth':
      return { from: '', to: '' };
    case 'gender':
      return { codes: [] };
    case 'ethnicity':
      return { categories: [], groups: [] };
    case 'postcode':
      return { areas: '', districts: '', sectors: '' };
    case 'imdDecile':
      return { min: 1, max: 10 };
    case 'school':
      return { urns: '', yearGroups: '' };
    case 'flags':
      return { codes: [], categories: [], on: '' };
    case 'staff':
      return { employers: '', staffGroups: [], frontline: 'either' };
    case 'vaccination':
      return { state: 'never-had', about: 'antigen', antigen: null, programme: '', doses: 1, before: '', statuses: [], campaign: null };
    case 'invitation':
      return { state: 'never-invited', before: '' };
    default:
      return { codes: '' };
  }
}

export function newCriterion(kind: CriterionKind): CriterionDraft {
  return { id: nextId(), type: 'criterion', kind, values: blankValues(kind) };
}
export function newGroup(kind: GroupKind, members: NodeDraft[] = []): GroupDraft {
  return { id: nextId(), type: 'group', kind, members };
}

// ---------------------------------------------------------------------------------------
// Editing the tree: each returns a new tree and leaves the one given as it was.

function mapGroups(node: NodeDraft, f: (g: GroupDraft) => GroupDraft): NodeDraft {
  if (node.type === 'criterion') return node;
  return f({ ...node, members: node.members.map((m) => mapGroups(m, f)) });
}

/** Adds a member at the end of the group with this id. */
export function addMember(root: GroupDraft, groupId: number, member: NodeDraft): GroupDraft {
  return mapGroups(root, (g) => (g.id === groupId ? { ...g, members: [...g.members, member] } : g)) as GroupDraft;
}

/** Removes the node with this id (never the root). */
export function removeNode(root: GroupDraft, id: number): GroupDraft {
  return mapGroups(root, (g) => ({ ...g, members: g.members.filter((m) => m.id !== id) })) as GroupDraft;
}

export function setGroupKind(root: GroupDraft, groupId: number, kind: GroupKind): GroupDraft {
  return mapGroups(root, (g) => (g.id === groupId ? { ...g, kind } : g)) as GroupDraft;
}

/** Sets one field of the criterion with this id. */
export function setValue(root: GroupDraft, id: number, field: string, value: FieldValue): GroupDraft {
  return mapGroups(root, (g) => ({
    ...g,
    members: g.members.map((m) => (m.type === 'criterion' && m.id === id ? { ...m, values: { ...m.values, [field]: value } } : m)),
  })) as GroupDraft;
}

/** How many criteria the tree holds. */
export function countCriteria(node: NodeDraft): number {
  return node.type === 'criterion' ? 1 : node.members.reduce((n, m) => n + countCriteria(m), 0);
}

// ---------------------------------------------------------------------------------------
// Comma-separated lists.

/** The codes in a comma- or line-separated list, trimmed, in capitals, each once, in the order written. */
export function parseCodeList(text: string): string[] {
  const codes = text
    .split(/[,;\n]/)
    .map((c) => c.trim().replace(/\s+/g, ' ').toUpperCase())
    .filter((c) => c !== '');
  return [...new Set(codes)];
}

/**
 * Year groups written as numbers or as words people use ("R" reception, "N" nursery): each a
 * number, or the text as written, which the schema then refuses at its place in the list.
 */
export function parseYearGroups(text: string): (number | string)[] {
  const years = parseCodeList(text).map((c) => {
    if (c === 'R') return 0;
    if (c === 'N') return -1;
    const y = c.replace(/^Y(EAR)?\s*/, '');
    return /^-?\d{1,2}$/.test(y) ? Number(y) : c;
  });
  return [...new Set(years)];
}

const formatCodeList = (codes: readonly (string | number)[] | undefined): string => (codes ?? []).join(', ');

// ---------------------------------------------------------------------------------------
// From the form to a definition.

/** A list field, or nothing when it is empty (so the schema says which list is needed). */
function list<T>(codes: T[]): T[] | undefined {
  return codes.length > 0 ? codes : undefined;
}
const text = (v: FieldValue): string => (typeof v === 'string' ? v : '');
const chosen = (v: FieldValue): string[] => (Array.isArray(v) ? v : []);
const num = (v: FieldValue): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const date = (v: FieldValue): string | undefined => (text(v).trim() === '' ? undefined : text(v).trim());
const textList = (v: FieldValue): string[] | undefined => list(parseCodeList(text(v)));

/** Drops the keys whose value is undefined, so a strict schema sees only what was given. */
function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The criterion's value as the definition writes it (not yet checked). */
function criterionValue(c: CriterionDraft): unknown {
  const v = c.values;
  switch (c.kind) {
    case 'age':
      return defined({ unit: v.unit, min: num(v.min ?? null), max: num(v.max ?? null), on: date(v.on ?? '') });
    case 'dateOfBirth':
      return defined({ from: date(v.from ?? ''), to: date(v.to ?? '') });
    case 'gender':
      return chosen(v.codes ?? []);
    case 'ethnicity':
      return defined({ categories: list(chosen(v.categories ?? [])), groups: list(chosen(v.groups ?? [])) });
    case 'postcode':
      return defined({ areas: textList(v.areas ?? ''), districts: textList(v.districts ?? ''), sectors: textList(v.sectors ?? '') });
    case 'imdDecile':
      return defined({ min: num(v.min ?? null), max: num(v.max ?? null) });
    case 'school':
      return defined({ urns: textList(v.urns ?? ''), yearGroups: list(parseYearGroups(text(v.yearGroups ?? ''))) });
    case 'flags':
      return defined({ codes: list(chosen(v.codes ?? [])), categories: list(chosen(v.categories ?? [])), on: date(v.on ?? '') });
    case 'staff':
      return defined({
        employers: textList(v.employers ?? ''),
        staffGroups: list(chosen(v.staffGroups ?? [])),
        frontline: v.frontline === 'yes' ? true : v.frontline === 'no' ? false : undefined,
      });
    case 'vaccination': {
      const state = text(v.state ?? 'never-had');
      const about =
        v.about === 'programme'
          ? {
              programme:
                text(v.programme ?? '')
                  .trim()
                  .toUpperCase() || undefined,
            }
          : { antigen: v.antigen ?? undefined };
      if (state === 'never-had') return defined({ state, ...about });
      if (state === 'doses-before') return defined({ state, ...about, doses: num(v.doses ?? null), before: date(v.before ?? '') });
      if (state === 'schedule') return defined({ state, antigen: v.antigen ?? undefined, statuses: chosen(v.statuses ?? []) });
      return defined({ state, campaign: v.campaign ?? undefined, statuses: chosen(v.statuses ?? []) });
    }
    case 'invitation': {
      const state = text(v.state ?? 'never-invited');
      return state === 'invited-before' ? defined({ state, before: date(v.before ?? '') }) : { state };
    }
    default:
      return parseCodeList(text(v.codes ?? ''));
  }
}

/** Where each node of the tree lands in the definition: its path, written as the schema's issue paths are. */
type Places = Map<string, number>;
const pathKey = (path: readonly PropertyKey[]): string => path.map(String).join('.');

function nodeValue(node: NodeDraft, path: PropertyKey[], places: Places): unknown {
  places.set(pathKey(path), node.id);
  if (node.type === 'criterion') return { [node.kind]: criterionValue(node) };
  if (node.kind !== 'not') return { [node.kind]: node.members.map((m, i) => nodeValue(m, [...path, node.kind, i], places)) };
  const [only, ...more] = node.members;
  if (only !== undefined && more.length === 0) return { not: nodeValue(only, [...path, 'not'], places) };
  // None of several: NOT (any of them). An empty one is left for the schema to refuse.
  return { not: { any: node.members.map((m, i) => nodeValue(m, [...path, 'not', 'any', i], places)) } };
}

/** The definition as the form gives it, before it is checked, and where each node went. */
export function draftToRaw(draft: CohortDraft): { raw: Record<string, unknown>; places: Places } {
  const places: Places = new Map();
  const criteria = nodeValue(draft.root, ['criteria'], places);
  const e = draft.exclusions;
  const raw = defined({
    format: 1,
    name: draft.name,
    campaign: draft.campaign ?? undefined,
    referenceDate: draft.referenceDate,
    criteria,
    exclusions: {
      // Said only when it differs from what naming a campaign implies.
      ...(draft.campaign !== null ? { alreadyVaccinated: e.alreadyVaccinated } : {}),
      deceased: e.deceased,
      noLongerRegistered: e.noLongerRegistered,
      optedOutOfEveryChannel: e.optedOutOfEveryChannel,
      noUsableContact: e.noUsableContact,
      invitedWithinDays: e.invitedWithinDays ?? 0,
    },
  });
  return { raw, places };
}

/** A message from the schema, placed: on a node (its field, or the node as a whole) or on a top-level field. */
export interface PlacedIssue {
  /** The node it is about, or null for the definition's own fields (name, exclusions, ...). */
  node: number | null;
  /** The field: 'min', 'codes', 'name', 'exclusions.invitedWithinDays'; '' for the node as a whole. */
  field: string;
  message: string;
}

/** Places one issue by its path: on the deepest node the path passes through, then the field below it. */
function placeIssue(path: readonly PropertyKey[], message: string, places: Places): PlacedIssue {
  if (path[0] !== 'criteria') return { node: null, field: path.map(String).join('.'), message };
  for (let n = path.length; n > 0; n--) {
    const node = places.get(pathKey(path.slice(0, n)));
    if (node === undefined) continue;
    const rest = path.slice(n).map(String);
    const [kind, field] = rest;
    // A group's own message (too few members) is about the group; a criterion's names its field.
    if (kind === undefined || kind === 'all' || kind === 'any' || kind === 'not') return { node, field: '', message };
    if (field === undefined) return { node, field: '', message };
    return { node, field: LIST_KINDS.has(kind as CriterionKind) ? 'codes' : field, message };
  }
  return { node: null, field: 'criteria', message };
}

export type Built = { ok: true; definition: Definition; key: string } | { ok: false; issues: PlacedIssue[] };

/** Stands in for a name not given yet: a count needs none, a save does. */
export const UNNAMED = 'Unnamed cohort';

/**
 * The definition the form describes, checked by the contract's schema; or every message, placed.
 * forCount: a definition still without a name is counted under UNNAMED.
 */
export function buildDefinition(draft: CohortDraft, options: { forCount?: boolean } = {}): Built {
  const named = options.forCount && draft.name.trim() === '' ? { ...draft, name: UNNAMED } : draft;
  const { raw, places } = draftToRaw(named);
  const parsed = CohortDefinition.safeParse(raw);
  if (parsed.success) return { ok: true, definition: parsed.data, key: JSON.stringify(parsed.data) };
  const issues: PlacedIssue[] = [];
  for (const issue of parsed.error.issues) {
    const placed = placeIssue(issue.path, issue.message, places);
    if (!issues.some((i) => i.node === placed.node && i.field === placed.field)) issues.push(placed);
  }
  return { ok: false, issues };
}

/** The first message for a node's field ('' for the node itself). */
export function issueAt(issues: readonly PlacedIssue[], node: number | null, field: string): string | undefined {
  return issues.find((i) => i.node === node && i.field === field)?.message;
}

// ---------------------------------------------------------------------------------------
// From a saved definition back to the form.

function criterionDraft(c: Criterion): CriterionDraft {
  const [kind, value] = Object.entries(c)[0] as [CriterionKind, Record<string, unknown> | unknown[]];
  const values = blankValues(kind);
  if (Array.isArray(value)) {
    values.codes = isTextList(kind, 'codes') ? formatCodeList(value as string[]) : (value as string[]);
    return { id: nextId(), type: 'criterion', kind, values };
  }
  for (const [field, v] of Object.entries(value)) {
    if (Array.isArray(v)) values[field] = isTextList(kind, field) ? formatCodeList(v as string[]) : (v as string[]);
    else if (kind === 'staff' && field === 'frontline') values.frontline = v === true ? 'yes' : 'no';
    else values[field] = v as FieldValue;
  }
  if (kind === 'vaccination') values.about = 'programme' in value ? 'programme' : 'antigen';
  return { id: nextId(), type: 'criterion', kind, values };
}

function nodeDraft(node: CohortNode): NodeDraft {
  if ('all' in node) return newGroup('all', node.all.map(nodeDraft));
  if ('any' in node) return newGroup('any', node.any.map(nodeDraft));
  if ('not' in node) {
    // NOT (any of several) reads back as "none of" them.
    const inner = node.not;
    return 'any' in inner ? newGroup('not', inner.any.map(nodeDraft)) : newGroup('not', [nodeDraft(inner)]);
  }
  return criterionDraft(node);
}

/** The form for a definition (a saved one opened, or one checked by the schema). */
export function definitionToDraft(d: Definition): CohortDraft {
  const top = nodeDraft(d.criteria);
  return {
    name: d.name,
    campaign: d.campaign ?? null,
    referenceDate: d.referenceDate,
    root: top.type === 'group' ? top : newGroup('all', [top]),
    exclusions: { ...d.exclusions, invitedWithinDays: d.exclusions.invitedWithinDays },
  };
}

/** A new definition: everyone in scope, on a date the caller gives (today, England's date). */
export function emptyDraft(referenceDate: string): CohortDraft {
  return {
    name: '',
    campaign: null,
    referenceDate,
    root: newGroup('all', [newCriterion('age')]),
    exclusions: {
      alreadyVaccinated: true,
      deceased: true,
      noLongerRegistered: true,
      optedOutOfEveryChannel: true,
      noUsableContact: true,
      invitedWithinDays: 28,
    },
  };
}
