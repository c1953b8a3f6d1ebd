// A kind of file the import pipeline takes. The application's part of a kind is small: its
// columns in file order (the header is checked against them exactly), whether a file may have
// no rows, and the default share of rejected rows above which nothing is applied. Its staging
// table, validation and apply are the database's (ims.feed_kind and the functions named after
// the kind, migration 0039); docs/feeds.md describes how to add one.
import { FEED_KIND_LABELS, type FeedKindCode } from '../shared/vocabulary/feeds';
import { V5_HEADER, v5FileNameProblem } from './vaccination-batch.rules';

export interface FeedKind {
  code: FeedKindCode;
  label: string;
  /** The staging table's text columns, in file order; also the header unless `header` is given. */
  columns: readonly string[];
  /** The header exactly as the file must have it, when it is not `columns` (a national layout). */
  header?: readonly string[];
  /**
   * The header names `columns` among others (a national file of many columns, in an order that
   * changes between editions): each of `header` must be there exactly once, and only those
   * columns are staged.
   */
  pick?: boolean;
  /** The file has no header line (the ODS files): every line is a row of `columns`. */
  headerless?: boolean;
  /** Reference data for the whole register: administrators only (the database refuses others). */
  administratorsOnly?: boolean;
  /** Why a file's name is not one this kind accepts (the file is refused), or null. */
  fileNameProblem?: (fileName: string) => string | null;
  /** A file with a header and no rows is accepted (a quiet night's delta), or refused. */
  allowEmpty: boolean;
  /** Rejected rows, as a percentage of all rows, above which the file is refused. */
  defaultMaxRejectPercent: number;
}

// The ONS postcode directory's columns the register reads (its full header has some fifty).
const ONSPD_COLUMNS = ['pcds', 'dointr', 'doterm', 'oslaua', 'lsoa21', 'icb', 'rgn'];
// Staging column: the English Indices of Deprivation 2025 column (File 1 or File 7).
const IMD_HEADER = {
  lsoa_code: 'LSOA code (2021)',
  lsoa_name: 'LSOA name (2021)',
  la_code: 'Local Authority District code (2024)',
  la_name: 'Local Authority District name (2024)',
  imd_rank: 'Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)',
  imd_decile: 'Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)',
};
// The ODS practice file's 27 fields, as its specification names them (the file has no header).
const ODS_PRACTICE_COLUMNS = [
  'organisation_code',
  'name',
  'national_grouping',
  'high_level_health_geography',
  'address_line_1',
  'address_line_2',
  'address_line_3',
  'address_line_4',
  'address_line_5',
  'postcode',
  'open_date',
  'close_date',
  'status_code',
  'organisation_sub_type_code',
  'commissioner',
  'join_provider_purchaser_date',
  'left_provider_purchaser_date',
  'contact_telephone_number',
  'null_19',
  'null_20',
  'null_21',
  'amended_record_indicator',
  'null_23',
  'provider_purchaser',
  'null_25',
  'prescribing_setting',
  'null_27',
];
// Staging column: the GIAS establishment download's column.
const GIAS_HEADER = {
  urn: 'URN',
  la_number: 'LA (code)',
  establishment_name: 'EstablishmentName',
  type_of_establishment: 'TypeOfEstablishment (name)',
  establishment_status: 'EstablishmentStatus (name)',
  open_date: 'OpenDate',
  close_date: 'CloseDate',
  phase_of_education: 'PhaseOfEducation (name)',
  statutory_low_age: 'StatutoryLowAge',
  statutory_high_age: 'StatutoryHighAge',
  postcode: 'Postcode',
  district_code: 'DistrictAdministrative (code)',
};

const DEMOGRAPHIC_PERSON = ['nhs_number', 'family_name', 'given_name', 'other_given_names', 'date_of_birth', 'gender', 'postcode'];
const ADDRESS = ['address_line1', 'address_line2', 'address_line3', 'town'];

export const FEED_KIND_DEFINITIONS: Record<FeedKindCode, FeedKind> = {
  'demographics-full': {
    code: 'demographics-full',
    label: FEED_KIND_LABELS['demographics-full'],
    columns: [...DEMOGRAPHIC_PERSON, ...ADDRESS, 'practice_code', 'ethnic_category', 'date_of_death'],
    allowEmpty: false,
    defaultMaxRejectPercent: 5,
  },
  'demographics-delta': {
    code: 'demographics-delta',
    label: FEED_KIND_LABELS['demographics-delta'],
    columns: [
      'record_id',
      'change_type',
      'nhs_number',
      'new_nhs_number',
      'family_name',
      'given_name',
      'other_given_names',
      'date_of_birth',
      'gender',
      'postcode',
      ...ADDRESS,
      'practice_code',
      'effective_date',
      'date_of_death',
    ],
    allowEmpty: true,
    defaultMaxRejectPercent: 5,
  },
  'clinical-flags': {
    code: 'clinical-flags',
    label: FEED_KIND_LABELS['clinical-flags'],
    columns: ['nhs_number', 'flag_code', 'from_date', 'to_date', 'detail'],
    allowEmpty: false,
    defaultMaxRejectPercent: 5,
  },
  'staff-list': {
    code: 'staff-list',
    label: FEED_KIND_LABELS['staff-list'],
    columns: ['nhs_number', 'employer_code', 'department', 'staff_group', 'job_role', 'frontline', 'from_date', 'to_date'],
    allowEmpty: false,
    defaultMaxRejectPercent: 5,
  },
  // Rows are independent events, acknowledged one by one: a file is never refused for its rows.
  'vaccination-batch-v5': {
    code: 'vaccination-batch-v5',
    label: FEED_KIND_LABELS['vaccination-batch-v5'],
    columns: V5_HEADER.map((c) => c.toLowerCase()),
    header: V5_HEADER,
    fileNameProblem: v5FileNameProblem,
    allowEmpty: false,
    defaultMaxRejectPercent: 100,
  },
  // Reference data (migration 0076), in the publishers' layouts; administrators only.
  'onspd-postcodes': {
    code: 'onspd-postcodes',
    label: FEED_KIND_LABELS['onspd-postcodes'],
    administratorsOnly: true,
    columns: ONSPD_COLUMNS,
    header: ONSPD_COLUMNS,
    pick: true,
    allowEmpty: false,
    defaultMaxRejectPercent: 5,
  },
  'imd-lsoa': {
    code: 'imd-lsoa',
    label: FEED_KIND_LABELS['imd-lsoa'],
    administratorsOnly: true,
    columns: Object.keys(IMD_HEADER),
    header: Object.values(IMD_HEADER),
    pick: true,
    allowEmpty: false,
    defaultMaxRejectPercent: 5,
  },
  'ods-gp-practices': {
    code: 'ods-gp-practices',
    label: FEED_KIND_LABELS['ods-gp-practices'],
    administratorsOnly: true,
    columns: ODS_PRACTICE_COLUMNS,
    headerless: true,
    allowEmpty: false,
    defaultMaxRejectPercent: 5,
  },
  'gias-schools': {
    code: 'gias-schools',
    label: FEED_KIND_LABELS['gias-schools'],
    administratorsOnly: true,
    columns: Object.keys(GIAS_HEADER),
    header: Object.values(GIAS_HEADER),
    pick: true,
    allowEmpty: false,
    defaultMaxRejectPercent: 5,
  },
  // Children on a school's roll; NHS numbers are optional (schools often lack them). Rows whose
  // child is not certain wait in the review queue rather than being rejected.
  'class-list': {
    code: 'class-list',
    label: FEED_KIND_LABELS['class-list'],
    columns: [
      'family_name',
      'given_name',
      'date_of_birth',
      'nhs_number',
      'postcode',
      'school_urn',
      'year_group',
      'parent1_name',
      'parent1_relationship',
      'parent1_phone',
      'parent1_email',
      'parent2_name',
      'parent2_relationship',
      'parent2_phone',
      'parent2_email',
    ],
    allowEmpty: false,
    defaultMaxRejectPercent: 10,
  },
};

export function feedKind(code: FeedKindCode): FeedKind {
  return FEED_KIND_DEFINITIONS[code];
}
