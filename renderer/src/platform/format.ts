// Display formats for names, identifiers and the connection. Dates and ages come from
// main-api/shared/calendar, the one calendar the PDFs and exports use too.
import { formatNhsNumber } from '../../../main-api/shared/identifiers/nhs-number';

export { formatNhsNumber };

/** Clinical convention: family name in capitals first. */
export function formatName(familyName: string, givenName: string): string {
  return `${familyName.toUpperCase()}, ${givenName}`;
}

export function connectionLabel(connection: { kind: 'embedded' | 'server'; host: string; database: string }): string {
  return connection.kind === 'embedded' ? 'Embedded database on this computer' : `Server ${connection.host}/${connection.database}`;
}
