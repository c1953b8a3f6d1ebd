// Who an incoming vaccination belongs to: the rules, as points for each piece of the person's
// details and a decision over all the candidates. The database applies the same rules to a whole
// file at once (ims.match_people, migration 0040); matching.integration.test.ts runs both over
// the same cases and requires the same answers, so a change here must be made there too.
//
// Principles: a vaccination is never attached to the wrong person silently. An NHS number that
// agrees with the date of birth and the given name attaches; without a usable NHS number only
// full agreement with no rival attaches; twins (born the same day at the same address, different
// names) are never attached to each other on demographics; an NHS number that fails its check
// digit says the sender's record is wrong somewhere, so it never attaches either. Everything else
// waits for a reviewer.
import { isValidNhsNumber } from '../shared/identifiers/nhs-number';

export interface MatchDetails {
  nhsNumber: string | null;
  familyName: string;
  givenName: string;
  dateOfBirth: string;
  genderCode: string | null;
  postcode: string | null;
}

export interface RegisteredPerson extends MatchDetails {
  personId: number;
  nhsNumber: string;
}

export const POINTS = {
  family: { exact: 25, transposed: 25, soundAlike: 15 },
  given: { exact: 20, transposed: 20, initial: 8 },
  dateOfBirth: 30,
  sex: { same: 5, conflicting: -10 },
  postcode: { exact: 20, district: 8 },
} as const;

/** Shown to a reviewer at or above this; attached without review only as decide() says. */
export const REVIEW_THRESHOLD = 50;
const NHS_CERTAIN_MIN = 70;
const DEMOGRAPHIC_CERTAIN_MIN = 90;

/** same / different: a valid NHS number was sent; invalid: one that fails its check digit (never attaches); absent: none. */
type NhsAgreement = 'same' | 'different' | 'invalid' | 'absent';

export interface CandidateScore {
  personId: number;
  points: number;
  parts: { familyName: number; givenName: number; dateOfBirth: number; gender: number; postcode: number };
  nhs: NhsAgreement;
  twin: boolean;
  certain: boolean;
}

const FOLD_FROM = 'àáâãäåāçćčèéêëēėęìíîïīñńòóôõöøōœùúûüūýÿžźżşšßł';
const FOLD_TO = 'aaaaaaaccceeeeeeeiiiiinnoooooooouuuuuyyzzzsssl';

function fold(s: string): string {
  let out = '';
  for (const ch of s) {
    const i = FOLD_FROM.indexOf(ch);
    out += i >= 0 ? FOLD_TO[i] : ch;
  }
  return out;
}

/** A name as compared: accents folded, letters only, upper case (ims.match_name). */
export function matchName(name: string | null | undefined): string {
  return fold((name ?? '').toLowerCase())
    .replace(/[^a-z]/g, '')
    .toUpperCase();
}

/** A given name as compared: its first word only (ims.match_given). */
export function matchGiven(name: string | null | undefined): string {
  return matchName((name ?? '').trim().split(' ')[0] ?? '');
}

/** The register's sound-alike key for a surname (ims.name_sound_key, migration 0013). */
export function soundKey(name: string): string {
  let s = fold(name.toLowerCase()).replace(/[^a-z]/g, '');
  if (s.startsWith('kn') || s.startsWith('wr')) s = s.slice(1);
  else if (s.startsWith('wh')) s = `w${s.slice(2)}`;
  s = s.replace(/(.)gh/g, '$1');
  s = s.replaceAll('sch', 'sh').replaceAll('ph', 'f').replaceAll('th', 't').replaceAll('ck', 'k');
  s = s.replace(/c([eiy])/g, 's$1');
  s = s
    .replaceAll('x', 'ks')
    .replace(/[cqzv]/g, (c) => ({ c: 'k', q: 'k', z: 's', v: 'f' })[c]!)
    .replaceAll('mps', 'ms');
  s = s.replace(/(.)\1+/g, '$1');
  return s.slice(0, 1) + s.slice(1).replace(/[aeiouyhw]/g, '');
}

const normalisePostcode = (pc: string | null): string | null => {
  const t = (pc ?? '').trim().toUpperCase().replace(/\s+/g, ' ');
  return t === '' ? null : t;
};
const outward = (pc: string | null): string => (pc ?? '').split(' ')[0] ?? '';

/** Would ims.match_people consider this person a candidate at all? */
function isCandidate(input: MatchDetails, person: RegisteredPerson): boolean {
  const nhs = input.nhsNumber && isValidNhsNumber(input.nhsNumber) ? input.nhsNumber : null;
  if (nhs !== null && nhs === person.nhsNumber) return true;
  if (person.dateOfBirth !== input.dateOfBirth) return false;
  const key = soundKey(person.familyName);
  return (
    key === soundKey(matchName(input.familyName)) ||
    key === soundKey(matchGiven(input.givenName)) ||
    (person.postcode !== null && person.postcode === normalisePostcode(input.postcode))
  );
}

/** The points one candidate earns against the details sent. */
function scoreCandidate(input: MatchDetails, person: RegisteredPerson): Omit<CandidateScore, 'twin' | 'certain'> {
  const fam = matchName(input.familyName);
  const giv = matchGiven(input.givenName);
  const pfam = matchName(person.familyName);
  const pgiv = matchGiven(person.givenName);
  const transposed = pfam === giv && pgiv === fam;
  const familyName =
    pfam === fam && fam !== ''
      ? POINTS.family.exact
      : transposed && fam !== ''
        ? POINTS.family.transposed
        : soundKey(person.familyName) === soundKey(fam) && fam !== ''
          ? POINTS.family.soundAlike
          : 0;
  const givenName =
    pgiv === giv && giv !== ''
      ? POINTS.given.exact
      : transposed && giv !== ''
        ? POINTS.given.transposed
        : pgiv.slice(0, 1) === giv.slice(0, 1) && giv !== ''
          ? POINTS.given.initial
          : 0;
  const dateOfBirth = person.dateOfBirth === input.dateOfBirth ? POINTS.dateOfBirth : 0;
  const sexKnown = (g: string | null) => g === '1' || g === '2';
  const gender =
    sexKnown(person.genderCode) && sexKnown(input.genderCode ?? '0')
      ? person.genderCode === input.genderCode
        ? POINTS.sex.same
        : POINTS.sex.conflicting
      : 0;
  const pc = normalisePostcode(input.postcode);
  const postcode =
    person.postcode !== null && person.postcode === pc
      ? POINTS.postcode.exact
      : person.postcode !== null && pc !== null && outward(person.postcode) === outward(pc)
        ? POINTS.postcode.district
        : 0;
  const sent = (input.nhsNumber ?? '').trim();
  const nhs: NhsAgreement = sent === '' ? 'absent' : !isValidNhsNumber(sent) ? 'invalid' : sent === person.nhsNumber ? 'same' : 'different';
  return {
    personId: person.personId,
    points: familyName + givenName + dateOfBirth + gender + postcode,
    parts: { familyName, givenName, dateOfBirth, gender, postcode },
    nhs,
  };
}

/**
 * Scores every candidate and decides which, if any, is certain. At most one is: the NHS number's
 * person when it agrees (date of birth, given name) and no other candidate has the same given
 * name; or, with no NHS number sent, a full match (the surname as sent, or the names swapped) with no
 * rival and no twin.
 */
export function decide(input: MatchDetails, people: readonly RegisteredPerson[]): CandidateScore[] {
  const candidates = people.filter((p) => isCandidate(input, p));
  const scored = candidates.map((p) => ({ person: p, score: scoreCandidate(input, p) }));
  return scored.map(({ person, score }) => {
    const others = scored.filter((o) => o.person.personId !== person.personId);
    const twin = others.some(
      (o) =>
        o.person.dateOfBirth === person.dateOfBirth &&
        ((o.person.postcode !== null && o.person.postcode === person.postcode) ||
          matchName(o.person.familyName) === matchName(person.familyName)) &&
        matchGiven(o.person.givenName) !== matchGiven(person.givenName),
    );
    const rival = others.some((o) => o.score.points >= REVIEW_THRESHOLD || o.score.nhs === 'same');
    const namedRival = others.some((o) => o.score.parts.givenName === POINTS.given.exact && o.score.points >= NHS_CERTAIN_MIN);
    const certain =
      (score.nhs === 'same' &&
        score.parts.dateOfBirth === POINTS.dateOfBirth &&
        score.parts.givenName === POINTS.given.exact &&
        score.points >= NHS_CERTAIN_MIN &&
        !namedRival) ||
      (score.nhs === 'absent' &&
        score.points >= DEMOGRAPHIC_CERTAIN_MIN &&
        score.parts.familyName === POINTS.family.exact &&
        score.parts.givenName === POINTS.given.exact &&
        !rival &&
        !twin);
    return { ...score, twin, certain };
  });
}

/** The one certain candidate, if any. */
export function certainMatch(scores: readonly CandidateScore[]): CandidateScore | null {
  return scores.find((s) => s.certain) ?? null;
}
