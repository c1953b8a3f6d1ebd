// What a letter says and where its address goes, as pure functions of the data the database
// answers: the merge values for a person, the postal address block checked against GOV.UK
// Notify's precompiled-letter rules, and which language variant a person receives.
import type { LetterCampaign, LetterPerson, MessageTemplate } from '../contract/letters';
import { formatLongDate, formatLongDateWelsh } from '../shared/calendar/dates';
import { formatNhsNumber } from '../shared/identifiers/nhs-number';
import { BOOKING_ROUTE_LABELS } from '../shared/vocabulary/campaigns';
import type { LetterLanguage, MergeValues } from '../shared/vocabulary/letters';
import { mergePieces, parseTemplate, type TemplatePiece } from '../shared/messages/template-text';

/** Words a letter prints around the template's own text, per language. */
export const LETTER_WORDS: Record<LetterLanguage, { date: string; nhsNumber: string; page: (n: number, of: number) => string }> = {
  en: { date: 'Date', nhsNumber: 'NHS number', page: (n, of) => `Page ${n} of ${of}` },
  cy: { date: 'Dyddiad', nhsNumber: 'Rhif GIG', page: (n, of) => `Tudalen ${n} o ${of}` },
};

const WELSH_BOOKING_ROUTES: Record<LetterCampaign['bookingRoute'], string> = {
  NATIONAL: 'Gwasanaeth archebu cenedlaethol',
  LOCAL_LINK: 'Dolen archebu leol',
  PHONE: 'Rhif ffôn',
};

/** The variant a person receives: their preferred language when the template has it, else English. */
export function languageFor(person: Pick<LetterPerson, 'preferredLanguage'>, template: Pick<MessageTemplate, 'variants'>): LetterLanguage {
  return person.preferredLanguage === 'cy' && template.variants.cy ? 'cy' : 'en';
}

/** The subject and body of a template in a language (English when it has no such variant). */
export function textIn(template: Pick<MessageTemplate, 'subject' | 'body' | 'variants'>, language: LetterLanguage) {
  const v = language === 'cy' ? template.variants.cy : undefined;
  return v ? { subject: v.subject ?? template.subject, body: v.body } : { subject: template.subject, body: template.body };
}

/** Every merge field's value for a person in a campaign, on a day, in a language. */
export function mergeValuesFor(
  person: LetterPerson,
  campaign: LetterCampaign,
  today: string,
  language: LetterLanguage = 'en',
): MergeValues {
  const long = language === 'cy' ? formatLongDateWelsh : formatLongDate;
  const address = [...person.addressLines, person.postcode ?? ''].filter((l) => l.trim() !== '').join(', ');
  return {
    'first name': person.givenName,
    'last name': person.familyName,
    'full name': `${person.givenName} ${person.familyName}`.trim(),
    'nhs number': formatNhsNumber(person.nhsNumber),
    'date of birth': long(person.dateOfBirth),
    address,
    postcode: person.postcode ?? '',
    campaign: campaign.name,
    'booking route': language === 'cy' ? WELSH_BOOKING_ROUTES[campaign.bookingRoute] : BOOKING_ROUTE_LABELS[campaign.bookingRoute],
    'booking link': campaign.bookingRoute === 'LOCAL_LINK' ? (campaign.bookingUrl ?? '') : '',
    'booking phone': campaign.bookingRoute === 'PHONE' ? (campaign.bookingPhone ?? '') : '',
    clinic: person.appointmentClinic ?? campaign.clinicName ?? '',
    'clinic postcode': person.appointmentClinic ? (person.appointmentClinicPostcode ?? '') : (campaign.clinicPostcode ?? ''),
    'appointment date': long(person.appointmentDate),
    'due date': long(person.dueDate),
    practice: person.practiceName ?? '',
    organisation: campaign.organisationName,
    'letter date': long(today),
    school: person.schoolName ?? '',
    'session date': long(person.sessionDate),
    'school programme': person.schoolProgramme ?? '',
    'consent link': campaign.consentLink ?? '',
    'consent phone': campaign.consentPhone ?? '',
  };
}

// GOV.UK Notify's precompiled letters: 3 to 7 address lines, the last a UK postcode (or a
// country), and no line may start with any of these characters.
const FORBIDDEN_START = /^[@()=[\]"\\/,<>~]/;
const UK_POSTCODE = /^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}$/;

export type AddressBlock = { ok: true; lines: string[] } | { ok: false; reason: string };

/** The address block of a letter: the person's name, their address lines and postcode. */
export function addressBlock(person: Pick<LetterPerson, 'givenName' | 'familyName' | 'addressLines' | 'postcode'>): AddressBlock {
  const lines = [`${person.givenName} ${person.familyName}`.trim(), ...person.addressLines.map((l) => l.trim())].filter((l) => l !== '');
  if (!person.postcode) return { ok: false, reason: 'The address has no postcode.' };
  if (!UK_POSTCODE.test(person.postcode)) return { ok: false, reason: `The postcode ${person.postcode} is not a UK postcode.` };
  lines.push(person.postcode);
  if (lines.length < 3) return { ok: false, reason: 'The address needs at least one line besides the name and postcode.' };
  if (lines.length > 7) return { ok: false, reason: `The address has ${lines.length} lines; a letter takes at most 7.` };
  const bad = lines.findIndex((l) => FORBIDDEN_START.test(l));
  if (bad >= 0) return { ok: false, reason: `Address line ${bad + 1} starts with “${lines[bad]?.[0]}”, which a postal address may not.` };
  return { ok: true, lines };
}

/** A letter of a production file as the database answers it (api.letter_run_next_file). */
export interface PlannedLetter {
  communicationId: number;
  reference: string;
  seq: number;
  purpose: string;
  templateName: string | null;
  templateVersion: number | null;
  person: LetterPerson;
}

export type PreparedLetter =
  | { ok: true; communicationId: number; draw: LetterDraft; language: LetterLanguage; largePrint: boolean }
  | { ok: false; communicationId: number; personId: number; reason: string };

/** What the PDF needs of one letter (letter.pdf LetterToDraw, without importing the renderer here). */
interface LetterDraft {
  nhsNumber: string;
  address: string[];
  language: LetterLanguage;
  largePrint: boolean;
  subject: string | null;
  body: string;
  date: string;
}

// A batch merges the same few template texts thousands of times: each is parsed once.
const parsed = new Map<string, TemplatePiece[]>();

/** Merges a template text, parsing it once; throws on a text with problems (refused on save). */
function merge(text: string, values: MergeValues): string {
  let pieces = parsed.get(text);
  if (!pieces) {
    const p = parseTemplate(text);
    if (p.problems.length > 0) throw new Error(p.problems.map((x) => x.message).join(' '));
    if (parsed.size > 200) parsed.clear();
    parsed.set(text, (pieces = p.pieces));
  }
  return mergePieces(pieces, values);
}

/** Templates of a file by "name@version". */
export function templateIndex(templates: readonly MessageTemplate[]): Map<string, MessageTemplate> {
  return new Map(templates.map((t) => [`${t.name}@${t.version}`, t]));
}

/**
 * One letter made ready to draw: its template found, its language chosen, its text merged and
 * its address checked; or the reason it cannot be made, for the run's report.
 */
export function prepareLetter(
  letter: PlannedLetter,
  templates: Map<string, MessageTemplate>,
  campaign: LetterCampaign,
  today: string,
  largePrintForAll: boolean,
): PreparedLetter {
  const fail = (reason: string): PreparedLetter => ({
    ok: false,
    communicationId: letter.communicationId,
    personId: letter.person.personId,
    reason,
  });
  if (letter.templateName === null || letter.templateVersion === null)
    return fail(`No letter template is in use for ${letter.purpose.toLowerCase().replace(/_/g, ' ')} letters.`);
  const template = templates.get(`${letter.templateName}@${letter.templateVersion}`);
  if (!template) return fail(`Template ${letter.templateName} version ${letter.templateVersion} does not exist.`);
  if (template.channel !== 'LETTER') return fail(`Template ${letter.templateName} is for ${template.channel.toLowerCase()}, not letters.`);
  const address = addressBlock(letter.person);
  if (!address.ok) return fail(address.reason);
  const language = languageFor(letter.person, template);
  const text = textIn(template, language);
  const values = mergeValuesFor(letter.person, campaign, today, language);
  let subject: string | null;
  let body: string;
  try {
    subject = text.subject ? merge(text.subject, values) : null;
    body = merge(text.body, values);
  } catch (error) {
    return fail(`The template cannot be merged: ${(error as Error).message}`);
  }
  const largePrint = largePrintForAll || letter.person.largePrint;
  return {
    ok: true,
    communicationId: letter.communicationId,
    language,
    largePrint,
    draw: { nhsNumber: letter.person.nhsNumber, address: address.lines, language, largePrint, subject, body, date: today },
  };
}
