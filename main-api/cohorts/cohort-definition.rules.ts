// Reading a cohort definition file and saying in plain English who it means. Pure: the names of
// campaigns come from the caller (the loaded rule files), everything else from the vocabulary.
import type { z } from 'zod';
import { CohortDefinition, type CohortNode, type Criterion } from '../contract/cohorts';
import { formatLongDate } from '../shared/calendar/dates';
import { ANTIGEN_LABELS } from '../shared/vocabulary/antigens';
import { ETHNIC_CATEGORY_LABELS, ETHNIC_GROUP_LABELS } from '../shared/vocabulary/ethnicity';
import { FLAG_CATEGORY_LABELS, FLAG_LABELS } from '../shared/vocabulary/flags';
import { GENDER_LABELS, STAFF_GROUP_LABELS } from '../shared/vocabulary/people';
import { CAMPAIGN_STATUS_LABELS, SERIES_STATUS_LABELS } from '../shared/vocabulary/schedule';

/** A definition file at most this long; longer is refused before it is parsed. */
const MAX_FILE_CHARS = 200_000;

export type ParsedCohortFile = { ok: true; definition: CohortDefinition } | { ok: false; errors: string[] };

/** A zod path as a definition writes it: criteria.any[1].all[0].age.min. */
function jsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(the definition)';
}

/** A long list of allowed codes is named, not printed; the value given is quoted, cut short. */
function issueMessage(i: z.core.$ZodIssue): string {
  if (i.code === 'invalid_value' && i.values.length > 6) {
    const given =
      typeof i.input === 'string' ? JSON.stringify(i.input.length > 40 ? `${i.input.slice(0, 40)}...` : i.input) : typeof i.input;
    return `Not a known code: ${given} (the codes are listed in docs/cohort-definition.md)`;
  }
  return i.message;
}

/** Line and column of a character offset, both from 1. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** Where JSON.parse stopped, from its message ("... at position 12 (line 2 column 3)"). */
function jsonErrorPlace(text: string, message: string): string {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return `line ${lc[1]}, column ${lc[2]}`;
  const pos = /position (\d+)/.exec(message);
  return pos ? lineColumn(text, Number(pos[1])) : 'end of file';
}

/**
 * A definition file's text, read and checked: the definition with defaults filled in, or every
 * mistake with the field at fault. `campaigns` holds the campaigns the rules know, by code.
 */
export function parseCohortFile(text: string, campaigns: ReadonlyMap<string, string>): ParsedCohortFile {
  if (text.length > MAX_FILE_CHARS)
    return { ok: false, errors: [`(the file): longer than ${MAX_FILE_CHARS.toLocaleString('en-GB')} characters`] };
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = (error as Error).message;
    return {
      ok: false,
      errors: [`(the file): not valid JSON at ${jsonErrorPlace(text, message)}: ${message.replace(/ in JSON at position.*$/, '')}`],
    };
  }
  const parsed = CohortDefinition.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const errors = parsed.error.issues.flatMap((i) =>
      // An unknown field is named itself, so the reader sees which one to remove.
      i.code === 'unrecognized_keys'
        ? i.keys.map((k) => `${jsonPath([...i.path, k])}: Not a field of this format`)
        : [`${jsonPath(i.path)}: ${issueMessage(i)}`],
    );
    return { ok: false, errors };
  }
  const errors = [...campaignsNamed(parsed.data)]
    .filter(([, code]) => !campaigns.has(code))
    .map(([path, code]) => `${path}: No campaign ${code} in the rules`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, definition: parsed.data };
}

/** Each campaign a definition names, with where. */
function* campaignsNamed(def: CohortDefinition): Generator<[string, string]> {
  if (def.campaign !== undefined) yield ['campaign', def.campaign];
  function* walk(node: CohortNode, path: string): Generator<[string, string]> {
    if ('all' in node) for (const [i, n] of node.all.entries()) yield* walk(n, `${path}.all[${i}]`);
    else if ('any' in node) for (const [i, n] of node.any.entries()) yield* walk(n, `${path}.any[${i}]`);
    else if ('not' in node) yield* walk(node.not, `${path}.not`);
    else if ('vaccination' in node && node.vaccination.state === 'campaign')
      yield [`${path}.vaccination.campaign`, node.vaccination.campaign];
  }
  yield* walk(def.criteria, 'criteria');
}

// ---------------------------------------------------------------------------------------
// Plain English.

/** 'A', 'A or B', 'A, B or C'. */
function list(items: readonly string[], word = 'or'): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)}`;
}

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

function yearGroupName(y: number): string {
  return y === -1 ? 'Nursery' : y === 0 ? 'Reception' : `Year ${y}`;
}

interface Describing {
  def: CohortDefinition;
  campaigns: ReadonlyMap<string, string>;
  /** Dates already said once: later ages and flags on the same date leave it out. */
  said: Set<string>;
}

/** ' on 31 March 2027', the first time a date is used; '' after that. */
function onDate(iso: string, d: Describing): string {
  if (d.said.has(iso)) return '';
  d.said.add(iso);
  return ` on ${formatLongDate(iso)}`;
}

function campaignName(code: string, d: Describing): string {
  return d.campaigns.get(code) ?? code;
}

function ageWords(n: number, unit: 'years' | 'months' | 'weeks'): string {
  return unit === 'years' ? String(n) : `${n} ${n === 1 ? unit.slice(0, -1) : unit}`;
}

function describeCriterion(c: Criterion, d: Describing): string {
  if ('age' in c) {
    const { min, max, unit } = c.age;
    const span =
      min !== undefined && max !== undefined
        ? min === max
          ? ageWords(min, unit)
          : `${min} to ${ageWords(max, unit)}`
        : min !== undefined
          ? `${ageWords(min, unit)} or over`
          : `${ageWords(max as number, unit)} or under`;
    return `aged ${span}${onDate(c.age.on ?? d.def.referenceDate, d)}`;
  }
  if ('dateOfBirth' in c) {
    const { from, to } = c.dateOfBirth;
    if (from !== undefined && to !== undefined) return `born between ${formatLongDate(from)} and ${formatLongDate(to)}`;
    return from !== undefined ? `born on or after ${formatLongDate(from)}` : `born on or before ${formatLongDate(to)}`;
  }
  if ('gender' in c) return `recorded as ${list(c.gender.map((g) => GENDER_LABELS[g]))}`;
  if ('ethnicity' in c) {
    const parts: string[] = [];
    if (c.ethnicity.categories) parts.push(`of ethnic category ${list(c.ethnicity.categories.map((e) => ETHNIC_CATEGORY_LABELS[e]))}`);
    if (c.ethnicity.groups)
      parts.push(
        `in the ${list(c.ethnicity.groups.map((g) => ETHNIC_GROUP_LABELS[g]))} ethnic ${plural(c.ethnicity.groups.length, 'group', 'groups')}`,
      );
    return parts.join(' or ');
  }
  if ('postcode' in c) {
    const { areas, districts, sectors } = c.postcode;
    const parts: string[] = [];
    if (areas) parts.push(`in the ${list(areas, 'and')} postcode ${plural(areas.length, 'area', 'areas')}`);
    if (districts) parts.push(`in postcode ${plural(districts.length, 'district', 'districts')} ${list(districts, 'and')}`);
    if (sectors) parts.push(`in postcode ${plural(sectors.length, 'sector', 'sectors')} ${list(sectors, 'and')}`);
    return parts.join(' or ');
  }
  if ('lsoa' in c) return `living in LSOA ${list(c.lsoa)}`;
  if ('imdDecile' in c) {
    const { min, max } = c.imdDecile;
    return `living in IMD ${min === max ? `decile ${min}` : `deciles ${min} to ${max}`} (1 is the most deprived)`;
  }
  if ('localAuthority' in c) return `living in local authority ${list(c.localAuthority)}`;
  if ('icb' in c) return `living in the area of ICB ${list(c.icb)}`;
  if ('practice' in c) return `registered with GP practice ${list(c.practice)}`;
  if ('school' in c) {
    const { urns, yearGroups } = c.school;
    const at = urns ? `at school ${list(urns)}` : 'at school';
    return yearGroups ? `${at} in ${list(yearGroups.map(yearGroupName))}` : at;
  }
  if ('flags' in c) {
    const parts: string[] = [];
    if (c.flags.codes) parts.push(`an active flag for ${list(c.flags.codes.map((f) => FLAG_LABELS[f]))}`);
    if (c.flags.categories) {
      const words = list(c.flags.categories.map((k) => FLAG_CATEGORY_LABELS[k].toLowerCase()));
      parts.push(`${c.flags.codes ? 'any' : 'an active'} ${words} flag`);
    }
    return `with ${parts.join(', or ')}${onDate(c.flags.on ?? d.def.referenceDate, d)}`;
  }
  if ('staff' in c) {
    const { employers, staffGroups, frontline } = c.staff;
    const kind = frontline === true ? 'frontline ' : frontline === false ? 'non-frontline ' : '';
    const groups = staffGroups ? `${list(staffGroups.map((g) => STAFF_GROUP_LABELS[g]))} ` : '';
    return `who are ${kind}${groups}staff${employers ? ` of employer ${list(employers)}` : ''}`;
  }
  if ('invitation' in c) {
    const i = c.invitation;
    const campaign = d.def.campaign === undefined ? 'the campaign' : campaignName(d.def.campaign, d);
    switch (i.state) {
      case 'never-invited':
        return `never invited for ${campaign}`;
      case 'invited-before':
        return `last invited for ${campaign} before ${formatLongDate(i.before)}`;
      case 'invited-not-booked':
        return `invited for ${campaign} but neither booked nor vaccinated`;
      case 'did-not-attend':
        return `having missed a booking for ${campaign}`;
    }
  }
  const v = c.vaccination;
  switch (v.state) {
    case 'never-had':
      return v.antigen !== undefined
        ? `never vaccinated against ${ANTIGEN_LABELS[v.antigen]}`
        : `never vaccinated in programme ${v.programme}`;
    case 'doses-before': {
      const what = v.antigen !== undefined ? `against ${ANTIGEN_LABELS[v.antigen]}` : `in programme ${v.programme}`;
      return `given ${v.doses === 1 ? 'a dose' : `at least ${v.doses} doses`} ${what} before ${formatLongDate(v.before)}`;
    }
    case 'schedule':
      return `whose schedule status for ${ANTIGEN_LABELS[v.antigen]} is ${list(v.statuses.map((s) => SERIES_STATUS_LABELS[s]))}`;
    case 'campaign':
      return `whose status in ${campaignName(v.campaign, d)} is ${list(v.statuses.map((s) => CAMPAIGN_STATUS_LABELS[s]))}`;
  }
}

const isGroup = (n: CohortNode): boolean => 'all' in n || 'any' in n || 'not' in n;
/** A group of several members, which needs marking off when it sits inside another. */
const isWideGroup = (n: CohortNode): boolean => ('all' in n && n.all.length > 1) || ('any' in n && n.any.length > 1);

function describeNode(node: CohortNode, d: Describing): string {
  if ('all' in node) {
    return node.all
      .map((n) => {
        const words = describeNode(n, d);
        if (!('any' in n) || n.any.length < 2 || node.all.length < 2) return words;
        // An OR inside an AND: "either A or B" when its members are plain, brackets otherwise.
        return n.any.some(isGroup) ? `(${words})` : `either ${words}`;
      })
      .join(' and ');
  }
  if ('any' in node) {
    const parts = node.any.map((n) => (isWideGroup(n) && node.any.length > 1 ? `(${describeNode(n, d)})` : describeNode(n, d)));
    return parts.join(', or ');
  }
  if ('not' in node) return isWideGroup(node.not) ? `not (${describeNode(node.not, d)})` : `not ${describeNode(node.not, d)}`;
  return describeCriterion(node, d);
}

/**
 * Who a definition means, in plain English: the people it selects, then those left out.
 * "People aged 65 or over on 31 March 2027 ... not already vaccinated in Flu 2026 to 2027."
 */
export function describeCohort(def: CohortDefinition, campaigns: ReadonlyMap<string, string>): string {
  const d: Describing = { def, campaigns, said: new Set() };
  const ex = def.exclusions;
  let text = `People ${describeNode(def.criteria, d)}`;
  if (def.campaign !== undefined && ex.alreadyVaccinated) text += `, not already vaccinated in ${campaignName(def.campaign, d)}`;
  text += '.';
  const out: string[] = [];
  if (ex.deceased) out.push('people who have died');
  if (ex.noLongerRegistered) out.push('people no longer registered with a GP practice');
  if (ex.optedOutOfEveryChannel) out.push('people who have opted out of every channel we could use');
  if (ex.noUsableContact) out.push('people with no usable contact details');
  if (ex.invitedWithinDays > 0)
    out.push(
      `people invited${def.campaign !== undefined ? ' for the campaign' : ''} in the last ${ex.invitedWithinDays} ${plural(ex.invitedWithinDays, 'day', 'days')}`,
    );
  if (out.length > 0) text += ` Left out: ${list(out, 'and')}.`;
  return text;
}

/** The definition as the command line prints it with --json: normalised, with its description. */
export function cohortAsJson(def: CohortDefinition, campaigns: ReadonlyMap<string, string>): string {
  return JSON.stringify({ definition: def, description: describeCohort(def, campaigns) }, null, 2);
}
