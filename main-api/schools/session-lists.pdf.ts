// The day's lists for a school session as a PDF: children with consent given, refused and not
// returned, each with a column to tick the outcome. Pure: the caller gives the rows.
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces';
import { renderPdf } from '../platform/pdf/render';
import { BASE_FAMILY, fontRuns } from '../platform/pdf/fonts';
import { formatLongDate, formatShortDate, yearGroupLabel } from '../shared/calendar/dates';
import { formatNhsNumber } from '../shared/identifiers/nhs-number';
import {
  CONSENT_REFUSAL_REASON_LABELS,
  GILLICK_OUTCOME_LABELS,
  SCHOOL_PROGRAMME_LABELS,
  type ConsentResponse,
} from '../shared/vocabulary/schools';
import type { SchoolSessionDetail, SessionChild } from '../contract/schools';
import { listsForTheDay } from './schools.rules';

const HEADINGS: Record<ConsentResponse, string> = {
  GIVEN: 'Consent given',
  REFUSED: 'Consent refused',
  NOT_RETURNED: 'Consent not returned',
};

function note(c: SessionChild): string {
  if (c.gillickOutcome) return `Own consent: ${GILLICK_OUTCOME_LABELS[c.gillickOutcome]} (assessed by ${c.gillickAssessedBy ?? ''})`;
  if (c.refusalReason) return CONSENT_REFUSAL_REASON_LABELS[c.refusalReason];
  return c.respondent ? `From ${c.respondent}` : '';
}

function table(children: readonly SessionChild[]): Content {
  if (children.length === 0) return { text: 'None.', italics: true, margin: [0, 0, 0, 10] };
  return {
    table: {
      headerRows: 1,
      widths: ['*', 70, 60, 50, '*', 60],
      body: [
        ['Name', 'NHS number', 'Born', 'Year', 'Consent', 'Outcome'].map((t) => ({ text: t, bold: true })),
        ...children.map((c) => [
          fontRuns(`${c.familyName.toUpperCase()}, ${c.givenName}`),
          formatNhsNumber(c.nhsNumber),
          formatShortDate(c.dateOfBirth),
          yearGroupLabel(c.yearGroup),
          fontRuns(note(c)),
          '',
        ]),
      ],
    },
    layout: 'lightHorizontalLines',
    fontSize: 9,
    margin: [0, 0, 0, 12],
  };
}

export function sessionListsDocument(detail: SchoolSessionDetail): TDocumentDefinitions {
  const s = detail.session;
  const lists = listsForTheDay(detail.children);
  return {
    pageSize: 'A4',
    pageOrientation: 'landscape',
    pageMargins: [30, 30, 30, 30],
    defaultStyle: { font: BASE_FAMILY, fontSize: 10 },
    info: { title: `${SCHOOL_PROGRAMME_LABELS[s.programme]} session, ${s.schoolName}, ${s.date}` },
    content: [
      { text: fontRuns(`${s.schoolName} (URN ${s.schoolUrn})`), fontSize: 16, bold: true },
      { text: `${SCHOOL_PROGRAMME_LABELS[s.programme]} session, ${formatLongDate(s.date)}`, fontSize: 12, margin: [0, 2, 0, 4] },
      {
        text: `${s.children} children: ${s.consentGiven} consent given, ${s.consentRefused} refused, ${s.notReturned} not returned.`,
        margin: [0, 0, 0, 10],
      },
      ...(['GIVEN', 'REFUSED', 'NOT_RETURNED'] as const).flatMap((k): Content[] => [
        { text: `${HEADINGS[k]} (${lists[k].length})`, fontSize: 12, bold: true, margin: [0, 4, 0, 4] },
        table(lists[k]),
      ]),
    ],
  };
}

export function renderSessionLists(detail: SchoolSessionDetail): Promise<Buffer> {
  return renderPdf(sessionListsDocument(detail));
}
