// Countries a person may have moved from, as ISO 3166-1 alpha-2 codes (the database stores the
// code). The names come from the platform's own ICU data, so no list is copied in here.
const names = new Intl.DisplayNames(['en-GB'], { type: 'region', fallback: 'none' });

/** The English name of a country code, or the code itself when the platform does not know it. */
export function countryName(code: string): string {
  const name = /^[A-Z]{2}$/.test(code) ? names.of(code) : undefined;
  return name && name !== 'Unknown Region' ? name : code;
}

// The UK itself, groupings, and codes that are withdrawn or only reserved (ISO 3166-1).
const NOT_COUNTRIES = new Set('GB UK EU EZ UN ZZ AN BU CS DD FX NT SU TP YD YU ZR AC CP CQ DG EA IC TA'.split(' '));

let options: { code: string; name: string }[] | null = null;

/** Every country the platform names, by name, except the United Kingdom (a move within the UK has no country). */
export function countryOptions(): { code: string; name: string }[] {
  if (options) return options;
  const out: { code: string; name: string }[] = [];
  for (let a = 65; a <= 90; a++)
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      if (NOT_COUNTRIES.has(code) || code.startsWith('Q') || (code.startsWith('X') && code !== 'XK')) continue;
      const name = names.of(code);
      if (name && name !== 'Unknown Region' && name !== code) out.push({ code, name });
    }
  options = out.sort((x, y) => x.name.localeCompare(y.name, 'en-GB'));
  return options;
}
