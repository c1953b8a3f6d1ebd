// What a letter says and where its address goes, as pure functions of the data the database
// answers: the merge values for a person, the postal address block checked against GOV.UK
// Notify's precompiled-letter rules, and which language variant a person receives.
import type { LetterCampaign, LetterPerson, MessageTemplate } from '../contract/letters';
import { formatLongDate, formatLongDateWelsh } from '../shared/calendar/dates';
import { formatNhsNumber } from '../shared/identifiers/nhs-number';
import { BOOKING_ROUTE_LABELS } from '../shared/vocabulary/campaigns';
import type { LetterLanguage, MergeValues } from '../shared/vocabulary/letters';

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
