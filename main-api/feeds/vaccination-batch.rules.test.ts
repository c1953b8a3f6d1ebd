// NHS vaccination batch files (v5): the header, the file name check and the acknowledgement
// writers, with a fuzz test that no value can break an acknowledgement's columns.
import { describe, expect, it } from 'vitest';
import { FEED_KIND_DEFINITIONS } from './kinds';
import {
  ackFileNames,
  ackMessageId,
  ackSummary,
  ackTotals,
  BUS_ACK_HEADER,
  busAck,
  INF_ACK_HEADER,
  infAck,
  V5_HEADER,
  v5FileNameProblem,
  type AckInput,
} from './vaccination-batch.rules';

const taken: AckInput = {
  messageId: ackMessageId(42),
  fileName: 'FLU_Vaccinations_v5_YGM41_20261130T10000000.csv',
  receivedAt: '20261130T10051200',
  status: 'APPLIED',
  message: null,
  rowsTotal: 5,
  rowsApplied: 2,
  heldForReview: 1,
  failures: [
    { row: 4, localId: 'B-2^https://x.example/ids', reason: 'ACTION_FLAG: UPDATE of an identifier that is not known.' },
    { row: 2, localId: 'B-1^https://x.example/ids', reason: 'PERSON_SURNAME: The surname is at most 35 characters.' },
  ],
};

describe('v5 layout', () => {
  it('has the 34 national columns, staged in lower case', () => {
    expect(V5_HEADER).toHaveLength(34);
    expect(new Set(V5_HEADER).size).toBe(34);
    expect(V5_HEADER[0]).toBe('NHS_NUMBER');
    expect(V5_HEADER[11]).toBe('ACTION_FLAG');
    expect(V5_HEADER[33]).toBe('LOCATION_CODE_TYPE_URI');
    const kind = FEED_KIND_DEFINITIONS['vaccination-batch-v5'];
    expect(kind.header).toBe(V5_HEADER);
    expect(kind.columns).toEqual(V5_HEADER.map((c) => c.toLowerCase()));
  });
});

describe('v5 file names', () => {
  it.each([
    'FLU_Vaccinations_v5_YGM41_20261130T10000000.csv',
    'flu_vaccinations_V5_ygm41_20260630t23595901.CSV',
    'MENACWY_Vaccinations_v5_8HK48_20250101T00000000.dat',
  ])('accepts %s', (name) => expect(v5FileNameProblem(name)).toBeNull());

  it.each([
    ['FLU_Vaccinations_v4_YGM41_20261130T10000000.csv', /is not \{VACCINE_TYPE\}/],
    ['FLU_Vaccinations_v5_YGM41_20261130T10000002.csv', /is not \{VACCINE_TYPE\}/],
    ['FLU_Vaccinations_v5_YGM41_20261130T100000.csv', /is not \{VACCINE_TYPE\}/],
    ['FLU_Vaccinations_v5_YGM41_20261130T10000000.txt', /is not \{VACCINE_TYPE\}/],
    ['POLIO_Vaccinations_v5_YGM41_20261130T10000000.csv', /vaccine type POLIO/],
    ['FLU_Vaccinations_v5_YGM41_20260230T10000000.csv', /not a real date/],
    ['FLU_Vaccinations_v5_YGM41_20261130T24000000.csv', /not a real date/],
  ])('refuses %s', (name, reason) => expect(v5FileNameProblem(name)).toMatch(reason));
});

describe('acknowledgements', () => {
  it('InfAck: success 20013 for a file taken', () =>
    expect(infAck(taken)).toBe(
      `${INF_ACK_HEADER.join('|')}\r\nIMS-IMPORT-42|Success|Information|OK|20013|Technical|20013|Success|20261130T10051200|||True\r\n`,
    ));

  it('InfAck: failure 10001/10002 for a file refused, with no delivery', () => {
    const text = infAck({ ...taken, status: 'FILE_REFUSED', message: 'Column 2 of the header is wrong.' });
    expect(text.split('\r\n')[1]).toBe(
      'IMS-IMPORT-42|Failure|Fatal|Fatal Error|10001|Technical|10002|Infrastructure Level Response Value - Processing Error|20261130T10051200|||False',
    );
  });

  it('BusAck: one line per failed row in row order, message id ^ row, the local id and the reason', () => {
    const lines = busAck(taken).split('\r\n');
    expect(lines[0]).toBe(BUS_ACK_HEADER.join('|'));
    expect(lines[1]).toBe(
      'IMS-IMPORT-42^2|Fatal Error|Fatal|Fatal Error|30002|Business|30002|Business Level Response Value - Processing Error|' +
        '20261130T10051200||B-1^https://x.example/ids||PERSON_SURNAME: The surname is at most 35 characters.|False',
    );
    expect(lines[2]).toMatch(/^IMS-IMPORT-42\^4\|/);
    expect(lines).toHaveLength(4); // the last line ends with CRLF too
  });

  it('totals: records, succeeded and failed (every row of a refused file failed); rows held for review succeeded', () => {
    expect(ackTotals(taken)).toEqual({ records: 5, succeeded: 3, failed: 2, heldForReview: 1 });
    expect(ackTotals({ ...taken, status: 'FILE_REFUSED', failures: [] })).toEqual({
      records: 5,
      succeeded: 0,
      failed: 5,
      heldForReview: 0,
    });
    expect(JSON.parse(ackSummary({ ...taken, status: 'FILE_REFUSED', message: 'The header is wrong.' }))).toEqual({
      messageId: 'IMS-IMPORT-42',
      fileName: taken.fileName,
      receivedAt: taken.receivedAt,
      fileOutcome: 'Failure',
      responseCode: '10002',
      reason: 'The header is wrong.',
      totals: { records: 5, succeeded: 0, failed: 5, heldForReview: 0 },
    });
  });

  it('names the files after the imported file', () =>
    expect(ackFileNames(taken.fileName, taken.receivedAt)).toEqual({
      infAck: 'FLU_Vaccinations_v5_YGM41_20261130T10000000_InfAck_20261130T10051200.csv',
      busAck: 'FLU_Vaccinations_v5_YGM41_20261130T10000000_BusAck_20261130T10051200.csv',
      summary: 'FLU_Vaccinations_v5_YGM41_20261130T10000000_Summary_20261130T10051200.json',
    }));
});

describe('v5 fuzz', () => {
  const prng = (seed: number) => () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const ALPHABET = ['F', 'L', 'U', '_', 'v5', 'Vaccinations', '0', '1', '9', 'T', '.', 'csv', '|', '\r\n', '\n', '"', 'é', '^', ' '];
  it('no file name throws, and no value breaks an acknowledgement line', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = prng(seed);
      let text = '';
      for (let i = Math.floor(random() * 40); i > 0; i--) text += ALPHABET[Math.floor(random() * ALPHABET.length)];
      const problem = v5FileNameProblem(text);
      expect(problem === null || typeof problem === 'string').toBe(true);
      const lines = busAck({ ...taken, failures: [{ row: 1, localId: text, reason: text }] })
        .trimEnd()
        .split('\r\n');
      expect(lines, `seed ${seed}`).toHaveLength(2);
      expect(lines[1]!.split('|'), `seed ${seed}`).toHaveLength(BUS_ACK_HEADER.length);
    }
  });
});
