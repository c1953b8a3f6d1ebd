// Every code set has words for every code, and where people choose from or compare the words,
// no two codes in a set read the same.
import { describe, expect, it } from 'vitest';
import { ANTIGEN_CODES, ANTIGEN_LABELS, antigenLabel } from './antigens';
import { CONTACT_CHANNELS, CONTACT_CHANNEL_LABELS } from './contact';
import { ETHNIC_CATEGORIES, ETHNIC_CATEGORY_LABELS, ETHNIC_GROUPS, ETHNIC_GROUP_LABELS, ETHNIC_GROUP_OF } from './ethnicity';
import { FLAG_CATEGORIES, FLAG_CATEGORY_LABELS, FLAG_CATEGORY_OF, FLAG_CODES, FLAG_LABELS } from './flags';
import { ORGANISATION_TYPES, ORGANISATION_TYPE_LABELS, SCHOOL_PHASES, SCHOOL_PHASE_LABELS } from './organisations';
import { GENDER_CODES, GENDER_LABELS, REGISTRATION_STATUSES, REGISTRATION_STATUS_LABELS, STAFF_GROUPS, STAFF_GROUP_LABELS } from './people';
import { REACTION_CODES, REACTION_LABELS, REACTION_OUTCOMES, REACTION_OUTCOME_LABELS, SERIOUSNESS, SERIOUSNESS_LABELS } from './reactions';
import { ROLE_CODES, ROLE_LABELS } from './roles';
import {
  CAMPAIGN_STATUSES,
  CAMPAIGN_STATUS_LABELS,
  SERIES_KINDS,
  SERIES_KIND_LABELS,
  SERIES_STATUSES,
  SERIES_STATUS_LABELS,
  STATUS_ROW_KINDS,
  STATUS_ROW_KIND_LABELS,
  STORED_STATUSES,
  WARNING_CODES,
  WARNING_LABELS,
} from './schedule';
import {
  ROUTE_CODES,
  ROUTE_LABELS,
  SITE_CODES,
  SITE_LABELS,
  SITE_SNOMED_TERMS,
  USUAL_SITE_FOR_ROUTE,
  routeLabel,
  siteCoding,
  siteLabel,
} from './sites';
import {
  EVENT_STATUSES,
  EVENT_STATUS_LABELS,
  LEGAL_BASES,
  LEGAL_BASIS_LABELS,
  LOCATION_TYPES,
  LOCATION_TYPE_LABELS,
  NOT_GIVEN_REASONS,
  NOT_GIVEN_REASON_LABELS,
  OUTCOMES,
  OUTCOME_LABELS,
  PROCEDURE_DOSES,
  PROCEDURE_DOSE_LABELS,
  PRODUCT_CODE_STATUSES,
  PROGRAMME_KINDS,
  PROGRAMME_KIND_LABELS,
  PRODUCT_CODE_STATUS_LABELS,
  sourceLabel,
} from './vaccination';

interface CodeSet {
  codes: readonly string[];
  labels: Record<string, string>;
}

const set = (codes: readonly string[], labels: Record<string, string>): CodeSet => ({ codes, labels });

const SETS: Record<string, CodeSet> = {
  antigens: set(ANTIGEN_CODES, ANTIGEN_LABELS),
  'contact channels': set(CONTACT_CHANNELS, CONTACT_CHANNEL_LABELS),
  flags: set(FLAG_CODES, FLAG_LABELS),
  'ethnic categories': set(ETHNIC_CATEGORIES, ETHNIC_CATEGORY_LABELS),
  'ethnic groups': set(ETHNIC_GROUPS, ETHNIC_GROUP_LABELS),
  'flag categories': set(FLAG_CATEGORIES, FLAG_CATEGORY_LABELS),
  'organisation types': set(ORGANISATION_TYPES, ORGANISATION_TYPE_LABELS),
  'school phases': set(SCHOOL_PHASES, SCHOOL_PHASE_LABELS),
  genders: set(GENDER_CODES, GENDER_LABELS),
  'registration statuses': set(REGISTRATION_STATUSES, REGISTRATION_STATUS_LABELS),
  'staff groups': set(STAFF_GROUPS, STAFF_GROUP_LABELS),
  reactions: set(REACTION_CODES, REACTION_LABELS),
  seriousness: set(SERIOUSNESS, SERIOUSNESS_LABELS),
  'reaction outcomes': set(REACTION_OUTCOMES, REACTION_OUTCOME_LABELS),
  roles: set(ROLE_CODES, ROLE_LABELS),
  'series statuses': set(SERIES_STATUSES, SERIES_STATUS_LABELS),
  'campaign statuses': set(CAMPAIGN_STATUSES, CAMPAIGN_STATUS_LABELS),
  'series kinds': set(SERIES_KINDS, SERIES_KIND_LABELS),
  'status row kinds': set(STATUS_ROW_KINDS, STATUS_ROW_KIND_LABELS),
  warnings: set(WARNING_CODES, WARNING_LABELS),
  sites: set(SITE_CODES, SITE_LABELS),
  'site SNOMED terms': set(SITE_CODES, SITE_SNOMED_TERMS),
  routes: set(ROUTE_CODES, ROUTE_LABELS),
  outcomes: set(OUTCOMES, OUTCOME_LABELS),
  'not-given reasons': set(NOT_GIVEN_REASONS, NOT_GIVEN_REASON_LABELS),
  'legal bases': set(LEGAL_BASES, LEGAL_BASIS_LABELS),
  'event statuses': set(EVENT_STATUSES, EVENT_STATUS_LABELS),
  'programme kinds': set(PROGRAMME_KINDS, PROGRAMME_KIND_LABELS),
  'product code statuses': set(PRODUCT_CODE_STATUSES, PRODUCT_CODE_STATUS_LABELS),
  'procedure doses': set(PROCEDURE_DOSES, PROCEDURE_DOSE_LABELS),
  'location types': set(LOCATION_TYPES, LOCATION_TYPE_LABELS),
};

// Sets whose words may repeat on purpose: two flags in one category, say. None today.
const MAY_REPEAT = new Set<string>();

describe('the vocabulary', () => {
  for (const [name, { codes, labels }] of Object.entries(SETS)) {
    describe(name, () => {
      it('lists each code once', () => {
        expect(new Set(codes).size).toBe(codes.length);
      });

      it('has words for every code and for nothing else', () => {
        expect(Object.keys(labels).sort()).toEqual([...codes].sort());
        for (const code of codes) {
          const label = labels[code] ?? '';
          expect(label.trim(), code).not.toBe('');
          expect(label, code).toBe(label.trim());
        }
      });

      it('reads differently for each code', () => {
        if (MAY_REPEAT.has(name)) return;
        const words = codes.map((c) => (labels[c] ?? '').toLowerCase());
        expect(new Set(words).size).toBe(words.length);
      });
    });
  }

  it('never shows a code in place of its words', () => {
    // A label that looks like a code (upper case with underscores) is a code that slipped through.
    for (const [name, { codes, labels }] of Object.entries(SETS)) {
      for (const code of codes) expect(labels[code], `${name}: ${code}`).not.toMatch(/^[A-Z0-9_]+$/);
    }
  });

  it('stores the statuses a series or campaign can have, except not eligible', () => {
    expect([...STORED_STATUSES].sort()).toEqual([
      'COMPLETE',
      'CONTRAINDICATED',
      'DECLINED',
      'DUE',
      'GIVEN',
      'NEEDS_ASSESSMENT',
      'OVERDUE',
      'TOO_LATE',
      'UPCOMING',
    ]);
  });

  it('puts every flag in a known category', () => {
    for (const code of FLAG_CODES) expect(FLAG_CATEGORIES).toContain(FLAG_CATEGORY_OF[code]);
  });

  it('names a site in plain words and keeps its SNOMED term for the record', () => {
    expect(siteCoding('61396006')).toEqual({ code: '61396006', term: 'Left thigh structure' });
    expect(siteLabel({ code: '61396006', term: 'Left thigh structure' })).toBe('Left thigh');
    // The words come from the code, whatever term another system sent with it.
    expect(siteLabel({ code: '61396006', term: 'Structure of left thigh (body structure)' })).toBe('Left thigh');
    // A code outside the list keeps the only words there are: its own term.
    expect(siteLabel({ code: '91775009', term: 'Left shoulder region structure' })).toBe('Left shoulder region structure');
    expect(routeLabel({ code: '26643006', term: 'Oral use' })).toBe('Oral route');
  });

  it('suggests only listed sites for a route', () => {
    for (const site of Object.values(USUAL_SITE_FOR_ROUTE)) expect(SITE_CODES).toContain(site);
    expect(SITE_LABELS[USUAL_SITE_FOR_ROUTE['26643006']!]).toBe('Mouth');
  });

  it('shows an antigen the application does not know yet by its code', () => {
    expect(antigenLabel('MEASLES')).toBe('Measles');
    expect(antigenLabel('MPOX')).toBe('MPOX');
  });

  it('says where a record came from, in the words of the screen and the printed record', () => {
    expect(sourceLabel({ primarySource: true, sourceSystem: 'IMS', reportedBy: null })).toBe('Given here');
    expect(sourceLabel({ primarySource: false, sourceSystem: 'IMS', reportedBy: { kind: 'PARENT_HELD_RECORD', name: null } })).toBe(
      'Reported by parent-held record (red book)',
    );
    expect(sourceLabel({ primarySource: false, sourceSystem: 'IMS', reportedBy: { kind: 'GP', name: 'Marston Surgery' } })).toBe(
      'Reported by Marston Surgery (GP practice)',
    );
    // A dose from an overseas record says where it was given.
    expect(sourceLabel({ primarySource: false, sourceSystem: 'IMS', reportedBy: { kind: 'OVERSEAS', name: 'Poland' } })).toBe(
      'Given abroad (Poland)',
    );
    expect(sourceLabel({ primarySource: false, sourceSystem: 'IMS', reportedBy: { kind: 'OVERSEAS', name: null } })).toBe('Given abroad');
    // Records from before reporters were kept name their source system.
    expect(sourceLabel({ primarySource: false, sourceSystem: 'Marston Surgery', reportedBy: null })).toBe('Reported by Marston Surgery');
  });
});

describe('ethnic categories', () => {
  it('puts every category in a group, and every group has a category', () => {
    expect(new Set(ETHNIC_CATEGORIES.map((c) => ETHNIC_GROUP_OF[c]))).toEqual(new Set(ETHNIC_GROUPS));
  });
});
