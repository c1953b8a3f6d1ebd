// Pure rules of NHS vaccination batch files (v5): the national header, the file name, and the
// acknowledgements sent back after an import in the national layouts (docs/feeds.md):
//   InfAck   the file-level answer: 20013 when the file was taken, 10001/10002 when refused;
//   BusAck   one line per failed row: MESSAGE_HEADER_ID {message id}^{row}, its reasons;
//   Summary  the totals (records, succeeded, failed) and the reason a file was refused.
import { V5_COLUMNS, V5_FILE_VACCINE_TYPES as V5_VACCINE_TYPES } from '../shared/vocabulary/exchange';
import type { ImportStatus } from '../shared/vocabulary/feeds';

/** The 34 columns of a v5 file, exactly and in order: the vocabulary's one list. */
export const V5_HEADER = V5_COLUMNS;

const NAME_PATTERN = /^([A-Z0-9]+)_VACCINATIONS_V5_([A-Z0-9]{3,10})_([0-9]{8})T([0-9]{6})(00|01)\.(CSV|DAT)$/;
const NAME_FORM = '{VACCINE_TYPE}_Vaccinations_v5_{ODS code}_{YYYYMMDDThhmmsszz}.csv (or .dat)';

function realDate(ymd: string): boolean {
  const y = Number(ymd.slice(0, 4));
  const m = Number(ymd.slice(4, 6));
  const d = Number(ymd.slice(6, 8));
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Why a file name is not a v5 batch file's (any letter case), or null. */
export function v5FileNameProblem(fileName: string): string | null {
  const m = NAME_PATTERN.exec(fileName.toUpperCase());
  if (!m) return `The file name "${fileName.slice(0, 120)}" is not ${NAME_FORM}.`;
  const [, type, , ymd, hms] = m as unknown as [string, string, string, string, string];
  if (!(V5_VACCINE_TYPES as readonly string[]).includes(type)) {
    return `The file name's vaccine type ${type} is not one of ${V5_VACCINE_TYPES.join(', ')}.`;
  }
  const [hh, mm, ss] = [hms.slice(0, 2), hms.slice(2, 4), hms.slice(4, 6)].map(Number) as [number, number, number];
  if (!realDate(ymd) || hh > 23 || mm > 59 || ss > 59) return `The file name's timestamp ${ymd}T${hms} is not a real date and time.`;
  return null;
}

/** The acknowledgement columns, in the national order. */
export const INF_ACK_HEADER = [
  'MESSAGE_HEADER_ID',
  'HEADER_RESPONSE_CODE',
  'ISSUE_SEVERITY',
  'ISSUE_CODE',
  'ISSUE_DETAILS_CODE',
  'RESPONSE_TYPE',
  'RESPONSE_CODE',
  'RESPONSE_DISPLAY',
  'RECEIVED_TIME',
  'MAILBOX_FROM',
  'LOCAL_ID',
  'MESSAGE_DELIVERY',
] as const;

export const BUS_ACK_HEADER = [
  'MESSAGE_HEADER_ID',
  'HEADER_RESPONSE_CODE',
  'ISSUE_SEVERITY',
  'ISSUE_CODE',
  'ISSUE_DETAILS_CODE',
  'RESPONSE_TYPE',
  'RESPONSE_CODE',
  'RESPONSE_DISPLAY',
  'RECEIVED_TIME',
  'MAILBOX_FROM',
  'LOCAL_ID',
  'IMMS_ID',
  'OPERATION_OUTCOME',
  'MESSAGE_DELIVERY',
] as const;

interface AckFailure {
  /** 1 is the first row after the header. */
  row: number;
  /** UNIQUE_ID^UNIQUE_ID_URI as the row gave them (null for a row that could not be read). */
  localId: string | null;
  reason: string;
}

export interface AckInput {
  messageId: string;
  fileName: string;
  /** When the file was received, YYYYMMDDThhmmss00 (UTC). */
  receivedAt: string;
  status: ImportStatus;
  /** Why the file was refused, when it was. */
  message: string | null;
  rowsTotal: number | null;
  rowsApplied: number | null;
  /**
   * Rows taken but waiting, unattached, for a reviewer to choose the person (sent without an NHS
   * number, and not matched for certain). They are not failures: the sender need not and should
   * not resend them, so the BusAck does not list them; the totals count them apart.
   */
  heldForReview: number;
  failures: readonly AckFailure[];
}

/** The file was taken: its rows were each applied or rejected (a re-sent file was taken before). */
export const fileAccepted = (status: ImportStatus): boolean => status === 'APPLIED' || status === 'ALREADY_APPLIED';

/** A value for a pipe-delimited acknowledgement: no delimiter or line break may leak into it. */
function ackValue(value: string | number | null): string {
  return value === null ? '' : String(value).replace(/[|\r\n]+/g, ' ');
}

const line = (values: readonly (string | number | null)[]): string => values.map(ackValue).join('|');

/** The file-level acknowledgement: header and one line, CRLF endings. */
export function infAck(a: AckInput): string {
  const row = fileAccepted(a.status)
    ? [a.messageId, 'Success', 'Information', 'OK', '20013', 'Technical', '20013', 'Success', a.receivedAt, '', '', 'True']
    : [
        a.messageId,
        'Failure',
        'Fatal',
        'Fatal Error',
        '10001',
        'Technical',
        '10002',
        'Infrastructure Level Response Value - Processing Error',
        a.receivedAt,
        '',
        '',
        'False',
      ];
  return `${line(INF_ACK_HEADER)}\r\n${line(row)}\r\n`;
}

/** The business acknowledgement: header and one line per failed row, in row order. */
export function busAck(a: AckInput): string {
  const rows = [...a.failures]
    .sort((x, y) => x.row - y.row)
    .map((f) =>
      line([
        `${a.messageId}^${f.row}`,
        'Fatal Error',
        'Fatal',
        'Fatal Error',
        '30002',
        'Business',
        '30002',
        'Business Level Response Value - Processing Error',
        a.receivedAt,
        '',
        f.localId,
        '',
        f.reason,
        'False',
      ]),
    );
  return [line(BUS_ACK_HEADER), ...rows].map((l) => `${l}\r\n`).join('');
}

export interface AckTotals {
  records: number;
  succeeded: number;
  failed: number;
  /** Of the succeeded, those waiting here for a reviewer to choose the person. */
  heldForReview: number;
}

/** Records, succeeded and failed: every row of a taken file is one or the other. */
export function ackTotals(a: AckInput): AckTotals {
  const records = a.rowsTotal ?? 0;
  if (!fileAccepted(a.status)) return { records, succeeded: 0, failed: records, heldForReview: 0 };
  const failed = new Set(a.failures.map((f) => f.row)).size;
  return { records, succeeded: records - failed, failed, heldForReview: a.heldForReview };
}

/** The summary beside the two acknowledgements: the outcome, its reason and the totals. */
export function ackSummary(a: AckInput): string {
  const accepted = fileAccepted(a.status);
  const summary = {
    messageId: a.messageId,
    fileName: a.fileName,
    receivedAt: a.receivedAt,
    fileOutcome: accepted ? 'Success' : 'Failure',
    responseCode: accepted ? '20013' : '10002',
    reason: accepted ? null : (a.message ?? 'The file was not processed.'),
    totals: ackTotals(a),
  };
  return `${JSON.stringify(summary, null, 2)}\n`;
}

export interface AckFileNames {
  infAck: string;
  busAck: string;
  summary: string;
}

/** The acknowledgements' names: the file's own name without its extension, then the kind and time. */
export function ackFileNames(fileName: string, receivedAt: string): AckFileNames {
  const base = fileName.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_.-]/g, '_') || 'file';
  return {
    infAck: `${base}_InfAck_${receivedAt}.csv`,
    busAck: `${base}_BusAck_${receivedAt}.csv`,
    summary: `${base}_Summary_${receivedAt}.json`,
  };
}

/** The message id of an import's acknowledgements: stable, so the same import answers the same. */
export const ackMessageId = (importId: number): string => `IMS-IMPORT-${importId}`;
