import { describe, expect, it } from 'vitest';
import { csvField, notifyCsv, parseBookingCsv, parseCsv, type ExportRow } from './campaign-files.rules';

const row: ExportRow = {
  reference: 'a1b2',
  nhsNumber: '9434765919',
  givenName: 'Ann',
  familyName: "O'Neil, Jr",
  email: 'ann@example.org',
  mobile: '07700900123',
  addressLine1: '1 "The" Road',
  addressLine2: null,
  addressLine3: null,
  town: 'Medway',
  postcode: 'ME1 1AA',
};
const campaign = { name: 'Flu 2026-27', howToBook: 'Call 0300 123 4567 to book' };

describe('GOV.UK Notify bulk-send files', () => {
  it('puts the phone number first for texts, then the personalisation', () => {
    expect(notifyCsv('SMS', campaign, [row])).toBe(
      'phone number,first name,last name,nhs number,campaign,how to book,reference\r\n' +
        '07700900123,Ann,"O\'Neil, Jr",943 476 5919,Flu 2026-27,Call 0300 123 4567 to book,a1b2\r\n',
    );
  });

  it('puts the email address first for emails', () => {
    expect(notifyCsv('EMAIL', campaign, [row]).split('\r\n')[1]!.split(',')[0]).toBe('ann@example.org');
  });

  it("adds a school message's and the child health service's columns for the messages of no campaign", () => {
    const school = { ...row, schoolName: 'Oakwood School', sessionDate: '2026-11-09', schoolProgramme: 'HPV' };
    const [header, line] = notifyCsv('SMS', campaign, [school], {
      organisation: 'Kent School Immunisations',
      consentLink: 'https://consent.example.nhs.uk',
      consentPhone: null,
    }).split('\r\n');
    expect(header!.split(',').slice(-6)).toEqual([
      'school',
      'session date',
      'school programme',
      'consent link',
      'consent phone',
      'organisation',
    ]);
    expect(line!.split(',').slice(-6)).toEqual([
      'Oakwood School',
      '9 November 2026',
      'HPV',
      'https://consent.example.nhs.uk',
      '',
      'Kent School Immunisations',
    ]);
    expect(notifyCsv('SMS', campaign, [school]).split('\r\n')[0]).not.toContain('school');
  });

  it('writes letters to the name and address lines, the postcode last of them', () => {
    const [header, line] = notifyCsv('LETTER', campaign, [row]).split('\r\n');
    expect(header!.split(',').slice(0, 6)).toEqual([
      'address line 1',
      'address line 2',
      'address line 3',
      'address line 4',
      'address line 5',
      'postcode',
    ]);
    expect(parseCsv(line!)[0]!.slice(0, 6)).toEqual([`Ann O'Neil, Jr`, '1 "The" Road', '', '', 'Medway', 'ME1 1AA']);
  });

  it('writes only the header for no messages', () => {
    expect(notifyCsv('SMS', campaign, [])).toBe('phone number,first name,last name,nhs number,campaign,how to book,reference\r\n');
  });

  it('quotes only what needs quoting', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });
});

describe('booking files', () => {
  it('reads quoted fields, CRLF, a byte order mark and blank lines', () => {
    expect(parseCsv('\ufeffa,"b,c"\r\n\r\n"d ""e""",f\n')).toEqual([
      ['a', 'b,c'],
      ['d "e"', 'f'],
    ]);
  });

  it('reads columns by name in any order and case, and dates in both styles', () => {
    const r = parseBookingCsv(
      'Status,Reference,NHS Number,Date,Clinic\nbooked,B-1,943 476 5919,05/11/2026,Town hall\nDNA,B-2,9434765919,2026-11-06,\n',
    );
    expect(r.issues).toEqual([]);
    expect(r.rows).toEqual([
      { row: 1, nhsNumber: '9434765919', date: '2026-11-05', status: 'BOOKED', reference: 'B-1' },
      { row: 2, nhsNumber: '9434765919', date: '2026-11-06', status: 'DID_NOT_ATTEND', reference: 'B-2' },
    ]);
  });

  it('reports each bad row with its number, field and reason', () => {
    const r = parseBookingCsv(
      [
        'nhs_number,date,status,reference',
        '9434765918,2026-11-05,BOOKED,R1',
        '943476591,2026-11-05,BOOKED,R2',
        '9434765919,2026-02-29,BOOKED,R3',
        '9434765919,31/11/2026,BOOKED,R4',
        '9434765919,2026-11-05,PENCILLED,R5',
        "9434765919,2026-11-05,BOOKED,'; DROP TABLE",
        '9434765919,2026-11-05,CANCELLED,R7',
      ].join('\n'),
    );
    expect(r.issues.map((i) => [i.row, i.field])).toEqual([
      [1, 'nhsNumber'],
      [2, 'nhsNumber'],
      [3, 'date'],
      [4, 'date'],
      [5, 'status'],
      [6, 'reference'],
    ]);
    expect(r.rows.map((x) => x.row)).toEqual([7]);
  });

  it('refuses a file whose header lacks a column, naming it', () => {
    const r = parseBookingCsv('nhs_number,date,status\n9434765919,2026-11-05,BOOKED\n');
    expect(r.rows).toEqual([]);
    expect(r.issues).toEqual([{ row: 0, field: null, message: expect.stringContaining('missing: reference') }]);
    expect(parseBookingCsv('').issues[0]!.row).toBe(0);
  });
});
