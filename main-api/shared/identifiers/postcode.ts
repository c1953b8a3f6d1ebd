// UK postcode parts used for geography: area (letters), district (outward code), sector.

export interface PostcodeParts {
  postcode: string; // normalised "ME14 1XX"
  area: string; // "ME"
  district: string; // "ME14"
  sector: string; // "ME14 1"
}

const POSTCODE = /^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})$/;

export function parsePostcode(input: string): PostcodeParts | null {
  const m = POSTCODE.exec(input.trim().toUpperCase().replace(/\s+/g, ' '));
  if (!m) return null;
  const outward = m[1]!;
  const inward = m[2]!;
  return {
    postcode: `${outward} ${inward}`,
    area: outward.replace(/[0-9].*$/, ''),
    district: outward,
    sector: `${outward} ${inward[0]}`,
  };
}

/** Normalises a full or partial postcode typed into a search box ("me141" -> "ME14 1"). */
export function normalisePostcodePrefix(input: string): string {
  const compact = input.toUpperCase().replace(/\s+/g, '');
  const full = parsePostcode(compact);
  if (full) return full.postcode;
  // An outward code alone, or outward + the sector digit.
  const m = /^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{0,1})?$/.exec(compact);
  if (m && m[2]) return `${m[1]} ${m[2]}`;
  return compact;
}
