// Matching cases shared by the rules' unit test and the test that runs the database's copy of the
// rules over the same cases (matching.integration.test.ts). Synthetic people (999 range).
import type { MatchDetails, RegisteredPerson } from './matching.rules';

export const REGISTER: RegisteredPerson[] = [
  {
    personId: 1,
    nhsNumber: '9990000018',
    givenName: 'Sarah',
    familyName: 'Taylor',
    dateOfBirth: '2020-02-28',
    genderCode: '2',
    postcode: 'ME14 1XX',
  },
  // Twins: one birthday, one address, different names.
  {
    personId: 2,
    nhsNumber: '9990000026',
    givenName: 'Ava',
    familyName: 'Okafor',
    dateOfBirth: '2019-06-10',
    genderCode: '2',
    postcode: 'ME15 6AB',
  },
  {
    personId: 3,
    nhsNumber: '9990000034',
    givenName: 'Isla',
    familyName: 'Okafor',
    dateOfBirth: '2019-06-10',
    genderCode: '2',
    postcode: 'ME15 6AB',
  },
  {
    personId: 4,
    nhsNumber: '9990000042',
    givenName: 'Mohammed',
    familyName: 'Khan',
    dateOfBirth: '2018-11-05',
    genderCode: '1',
    postcode: 'ME16 8QQ',
  },
  {
    personId: 5,
    nhsNumber: '9990000050',
    givenName: 'Zoë',
    familyName: 'Smith-Jones',
    dateOfBirth: '2017-01-15',
    genderCode: '2',
    postcode: 'TN1 1AA',
  },
];

export interface MatchCase {
  name: string;
  input: MatchDetails;
  /** The person attached without review, or null when it must wait for a reviewer. */
  certain: number | null;
  /** The people a reviewer is shown (points >= 50 or the NHS number's person), in any order. */
  shown: number[];
}

const base = (over: Partial<MatchDetails>): MatchDetails => ({
  nhsNumber: null,
  familyName: 'Taylor',
  givenName: 'Sarah',
  dateOfBirth: '2020-02-28',
  genderCode: '2',
  postcode: 'ME14 1XX',
  ...over,
});

export const CASES: MatchCase[] = [
  { name: 'exact with NHS number', input: base({ nhsNumber: '9990000018' }), certain: 1, shown: [1] },
  { name: 'exact without NHS number', input: base({}), certain: 1, shown: [1] },
  {
    name: 'NHS number with a different date of birth',
    input: base({ nhsNumber: '9990000018', dateOfBirth: '2020-03-28' }),
    certain: null,
    shown: [1],
  },
  { name: 'NHS number with another given name', input: base({ nhsNumber: '9990000018', givenName: 'Susan' }), certain: null, shown: [1] },
  { name: 'wrong check digit', input: base({ nhsNumber: '9990000019' }), certain: null, shown: [1] },
  { name: 'valid NHS number of no one, details of someone', input: base({ nhsNumber: '9990000069' }), certain: null, shown: [1] },
  { name: 'transposed names', input: base({ familyName: 'Sarah', givenName: 'Taylor' }), certain: 1, shown: [1] },
  { name: 'sound-alike surname, no NHS number', input: base({ familyName: 'Tailor' }), certain: null, shown: [1] },
  { name: 'moved house, no NHS number', input: base({ postcode: 'CT1 2AA' }), certain: null, shown: [1] },
  {
    name: 'twin without NHS number',
    input: { nhsNumber: null, familyName: 'Okafor', givenName: 'Ava', dateOfBirth: '2019-06-10', genderCode: '2', postcode: 'ME15 6AB' },
    certain: null,
    shown: [2, 3],
  },
  {
    name: 'twin with her own NHS number',
    input: {
      nhsNumber: '9990000026',
      familyName: 'Okafor',
      givenName: 'Ava',
      dateOfBirth: '2019-06-10',
      genderCode: '2',
      postcode: 'ME15 6AB',
    },
    certain: 2,
    shown: [2, 3],
  },
  {
    name: "twin with her sister's NHS number",
    input: {
      nhsNumber: '9990000034',
      familyName: 'Okafor',
      givenName: 'Ava',
      dateOfBirth: '2019-06-10',
      genderCode: '2',
      postcode: 'ME15 6AB',
    },
    certain: null,
    shown: [2, 3],
  },
  {
    name: 'accents and hyphens',
    input: {
      nhsNumber: null,
      familyName: 'SMITH JONES',
      givenName: 'zoe',
      dateOfBirth: '2017-01-15',
      genderCode: '2',
      postcode: 'tn1  1aa',
    },
    certain: 5,
    shown: [5],
  },
  {
    name: 'sex conflicting',
    input: { nhsNumber: null, familyName: 'Khan', givenName: 'Mohammed', dateOfBirth: '2018-11-05', genderCode: '2', postcode: 'ME16 8QQ' },
    certain: null,
    shown: [4],
  },
  {
    name: 'no one',
    input: { nhsNumber: null, familyName: 'Nobody', givenName: 'Nemo', dateOfBirth: '2001-01-01', genderCode: '0', postcode: null },
    certain: null,
    shown: [],
  },
];
