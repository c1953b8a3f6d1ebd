// The people channels: one-box search and opening a person's record.
import { z } from 'zod';
import { isoDate, isoDateTime } from './common';
import { ContactChannel } from '../shared/vocabulary/contact';
import { FlagCategory } from '../shared/vocabulary/flags';
import { GenderCode, RegistrationStatus, StaffGroup } from '../shared/vocabulary/people';

/** Matches are counted, and can be paged through, up to this many; beyond it, narrow the search. */
export const SEARCH_COUNT_CAP = 1000;

const PersonSearchInput = z.object({
  /** Free text: an NHS number, "surname dd/mm/yyyy", a partial name and a postcode, or a postcode. */
  text: z.string().trim().min(1).max(200),
  /** Rows per page. */
  limit: z.number().int().min(1).max(100).default(50),
  /** 1 is the first page; pages reach no further than SEARCH_COUNT_CAP matches. */
  page: z.number().int().min(1).max(SEARCH_COUNT_CAP).default(1),
});

/** How the search box was read, so the screen can give advice that fits. */
export const SearchKind = z.enum(['nhs-number', 'surname-dob', 'name-postcode', 'postcode', 'name']);
export type SearchKind = z.infer<typeof SearchKind>;

export const PersonSummary = z.object({
  id: z.number().int(),
  nhsNumber: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  dateOfBirth: isoDate,
  genderCode: GenderCode,
  postcode: z.string().nullable(),
  practiceCode: z.string().nullable(),
  practiceName: z.string().nullable(),
  dateOfDeath: isoDate.nullable(),
});
export type PersonSummary = z.infer<typeof PersonSummary>;

const PersonSearchResult = z.object({
  interpretedAs: z.string(),
  kind: SearchKind,
  /** This page of the matches, in name order. */
  results: z.array(PersonSummary),
  page: z.number().int().min(1),
  pageSize: z.number().int().min(1),
  /** True when another page follows this one. */
  truncated: z.boolean(),
  /** All matches, counted up to SEARCH_COUNT_CAP; `atLeast` when there are more than that. */
  total: z.object({ count: z.number().int().min(0), atLeast: z.boolean() }),
  /**
   * On the first page of a surname search: people whose surname sounds like the one typed but
   * is spelled differently (Smith for "Smyth"), never mixed into `results`.
   */
  nearMatches: z.object({ soundsLike: z.string(), results: z.array(PersonSummary), more: z.boolean() }).nullable(),
  /**
   * For an NHS number search that found people by an earlier number of theirs (superseded by a
   * demographic update; each shown with the number they have now): the number searched.
   */
  previousNhsNumber: z.string().nullable(),
});
type PersonSearchResult = z.infer<typeof PersonSearchResult>;

const ContactDetails = z.object({
  addressLines: z.array(z.string()),
  email: z.string().nullable(),
  mobile: z.string().nullable(),
  landline: z.string().nullable(),
  preferredChannel: ContactChannel,
  optOut: z.object({ letter: z.boolean(), email: z.boolean(), sms: z.boolean() }),
});

const ClinicalFlag = z.object({
  id: z.number().int(),
  code: z.string(),
  label: z.string(),
  category: FlagCategory,
  fromDate: isoDate,
  toDate: isoDate.nullable(),
  source: z.string(),
});

const StaffRecord = z.object({
  id: z.number().int(),
  employerCode: z.string(),
  employerName: z.string(),
  department: z.string().nullable(),
  staffGroup: StaffGroup,
  jobRole: z.string().nullable(),
  frontline: z.boolean(),
  fromDate: isoDate,
  toDate: isoDate.nullable(),
});

/** viewedBy: the viewer by the user directory's display name, as everywhere a user is named. */
const RecordView = z.object({ viewedAt: isoDateTime, viewedBy: z.string() });

export const PersonRecord = z.object({
  person: PersonSummary.extend({
    otherGivenNames: z.string().nullable(),
    ethnicCategory: z.string().nullable(),
    ethnicCategoryLabel: z.string().nullable(),
    lsoaCode: z.string().nullable(),
    imdDecile: z.number().int().nullable(),
    localAuthority: z.string().nullable(),
    schoolUrn: z.string().nullable(),
    schoolName: z.string().nullable(),
    yearGroup: z.number().int().nullable(),
    registrationStatus: RegistrationStatus,
    ageYears: z.number().int(),
  }),
  contact: ContactDetails.nullable(),
  flags: z.array(ClinicalFlag),
  staff: z.array(StaffRecord),
  recentViews: z.array(RecordView),
});
export type PersonRecord = z.infer<typeof PersonRecord>;

export const peopleChannels = {
  'person.search': { input: PersonSearchInput, output: PersonSearchResult },
  'person.open': { input: z.object({ id: z.number().int() }), output: PersonRecord },
} as const;
