// A structural check of the FHIR R4 the product emits, against the R4 definitions of the
// resources and elements it uses (Bundle, Patient, Immunization, AdverseEvent): each element is
// one R4 defines, with its cardinality, its primitive type's format, required bindings' codes,
// and bundle-level rules (unique fullUrls, references that resolve). Not a general validator:
// an element the product does not emit is reported as unknown, so a change to the exporter that
// strays from R4 fails here. The exporter runs it before answering; the tests run it too.

type Primitive = 'string' | 'code' | 'uri' | 'boolean' | 'dateTime' | 'date' | 'instant' | 'positiveInt' | 'decimal';

interface Element {
  min: 0 | 1;
  max: 1 | '*';
  type: Primitive | Complex;
  /** A required binding's codes. */
  codes?: readonly string[];
}
type Complex = { [name: string]: Element };

const FORMAT: Record<Primitive, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string' && v.length > 0 && v.trim() === v.trim() && v.trim() !== '',
  code: (v) => typeof v === 'string' && /^[^\s]+( [^\s]+)*$/.test(v),
  uri: (v) => typeof v === 'string' && /^\S+$/.test(v),
  boolean: (v) => typeof v === 'boolean',
  dateTime: (v) =>
    typeof v === 'string' &&
    /^([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/.test(
      v,
    ),
  date: (v) => typeof v === 'string' && /^([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$/.test(v),
  instant: (v) =>
    typeof v === 'string' &&
    /^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/.test(
      v,
    ),
  positiveInt: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1,
  decimal: (v) => typeof v === 'number' && Number.isFinite(v),
};

const opt = (type: Element['type'], codes?: readonly string[]): Element => ({ min: 0, max: 1, type, codes });
const req = (type: Element['type'], codes?: readonly string[]): Element => ({ min: 1, max: 1, type, codes });
const many = (type: Element['type']): Element => ({ min: 0, max: '*', type });

const Coding: Complex = {
  system: opt('uri'),
  version: opt('string'),
  code: opt('code'),
  display: opt('string'),
  userSelected: opt('boolean'),
};
const CodeableConcept: Complex = { coding: many(Coding), text: opt('string') };
const Identifier: Complex = {
  use: opt('code', ['usual', 'official', 'temp', 'secondary', 'old']),
  system: opt('uri'),
  value: opt('string'),
};
const Reference: Complex = { reference: opt('string'), type: opt('uri'), identifier: opt(Identifier), display: opt('string') };
const Quantity: Complex = {
  value: opt('decimal'),
  comparator: opt('code', ['<', '<=', '>=', '>']),
  unit: opt('string'),
  system: opt('uri'),
  code: opt('code'),
};
const HumanName: Complex = {
  use: opt('code', ['usual', 'official', 'temp', 'nickname', 'anonymous', 'old', 'maiden']),
  text: opt('string'),
  family: opt('string'),
  given: many('string'),
};
const Address: Complex = { line: many('string'), city: opt('string'), postalCode: opt('string'), country: opt('string') };
const Extension: Complex = { url: req('uri'), valueCodeableConcept: opt(CodeableConcept) };

const RESOURCES: Record<string, Complex> = {
  Patient: {
    resourceType: req('code'),
    id: opt('string'),
    identifier: many(Identifier),
    name: many(HumanName),
    gender: opt('code', ['male', 'female', 'other', 'unknown']),
    birthDate: opt('date'),
    address: many(Address),
    generalPractitioner: many(Reference),
  },
  Immunization: {
    resourceType: req('code'),
    id: opt('string'),
    extension: many(Extension),
    identifier: many(Identifier),
    status: req('code', ['completed', 'entered-in-error', 'not-done']),
    statusReason: opt(CodeableConcept),
    vaccineCode: req(CodeableConcept),
    patient: req(Reference),
    occurrenceDateTime: req('dateTime'),
    recorded: opt('dateTime'),
    primarySource: opt('boolean'),
    location: opt(Reference),
    manufacturer: opt(Reference),
    lotNumber: opt('string'),
    expirationDate: opt('date'),
    site: opt(CodeableConcept),
    route: opt(CodeableConcept),
    doseQuantity: opt(Quantity),
    performer: many({ function: opt(CodeableConcept), actor: req(Reference) }),
    reasonCode: many(CodeableConcept),
    reaction: many({ date: opt('dateTime'), detail: opt(Reference), reported: opt('boolean') }),
    protocolApplied: many({
      series: opt('string'),
      targetDisease: many(CodeableConcept),
      doseNumberPositiveInt: opt('positiveInt'),
      doseNumberString: opt('string'),
    }),
  },
  AdverseEvent: {
    resourceType: req('code'),
    id: opt('string'),
    identifier: opt(Identifier),
    actuality: req('code', ['actual', 'potential']),
    category: many(CodeableConcept),
    event: opt(CodeableConcept),
    subject: req(Reference),
    date: opt('dateTime'),
    seriousness: opt(CodeableConcept),
    severity: opt(CodeableConcept),
    outcome: opt(CodeableConcept),
    suspectEntity: many({ instance: req(Reference) }),
  },
};

/** Which resource types each reference may point to (R4's target profiles, as far as used here). */
const TARGETS: Record<string, string[]> = {
  'Immunization.patient': ['Patient'],
  'AdverseEvent.subject': ['Patient'],
  'AdverseEvent.suspectEntity.instance': ['Immunization'],
  'Immunization.reaction.detail': ['Observation'],
};

export interface StructureIssue {
  path: string;
  message: string;
}

function checkElement(value: unknown, def: Element, path: string, issues: StructureIssue[]): void {
  if (typeof def.type === 'string') {
    if (!FORMAT[def.type](value)) issues.push({ path, message: `Not a valid ${def.type}.` });
    else if (def.codes && !def.codes.includes(value as string))
      issues.push({ path, message: `Not in the required value set (${def.codes.join(', ')}).` });
    return;
  }
  checkComplex(value, def.type, path, issues);
}

function checkComplex(value: unknown, type: Complex, path: string, issues: StructureIssue[]): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push({ path, message: 'Must be an object.' });
    return;
  }
  const o = value as Record<string, unknown>;
  if (Object.keys(o).length === 0) issues.push({ path, message: 'Must not be empty.' });
  for (const key of Object.keys(o)) if (!(key in type)) issues.push({ path: `${path}.${key}`, message: 'Not an element of R4 here.' });
  for (const [name, def] of Object.entries(type)) {
    const v = o[name];
    const p = `${path}.${name}`;
    if (v === undefined) {
      if (def.min === 1) issues.push({ path: p, message: 'Required (1..).' });
      continue;
    }
    if (v === null) {
      issues.push({ path: p, message: 'Must not be null.' });
      continue;
    }
    if (def.max === '*') {
      if (!Array.isArray(v)) issues.push({ path: p, message: 'Must be an array (0..*).' });
      else if (v.length === 0) issues.push({ path: p, message: 'Must not be an empty array.' });
      else v.forEach((x, i) => checkElement(x, def, `${p}[${i}]`, issues));
    } else if (Array.isArray(v)) issues.push({ path: p, message: 'Must be a single value (..1).' });
    else checkElement(v, def, p, issues);
  }
}

/** Every structural fault of a collection Bundle of the resources above; empty when it conforms. */
export function checkBundle(bundle: unknown): StructureIssue[] {
  const issues: StructureIssue[] = [];
  checkComplex(
    bundle,
    {
      resourceType: req('code', ['Bundle']),
      type: req('code', [
        'document',
        'message',
        'transaction',
        'transaction-response',
        'batch',
        'batch-response',
        'history',
        'searchset',
        'collection',
      ]),
      timestamp: opt('instant'),
      entry: many({ fullUrl: opt('uri'), resource: opt('code') }),
    },
    'Bundle',
    issues,
  );
  // The entries' resources were only checked for presence above; check each against its type.
  const filtered = issues.filter((x) => !/^Bundle\.entry\[\d+\]\.resource$/.test(x.path));
  const entries = (bundle as { entry?: unknown }).entry;
  if (!Array.isArray(entries)) return filtered;
  const urls = new Map<string, string>();
  entries.forEach((e, i) => {
    const r = (e as { resource?: { resourceType?: unknown } }).resource;
    const url = (e as { fullUrl?: unknown }).fullUrl;
    if (typeof url === 'string') {
      if (urls.has(url)) filtered.push({ path: `Bundle.entry[${i}].fullUrl`, message: 'Not unique in the bundle (bdl-7).' });
      if (r && typeof r.resourceType === 'string') urls.set(url, r.resourceType);
    }
  });
  entries.forEach((e, i) => {
    const r = (e as { resource?: Record<string, unknown> }).resource;
    const p = `Bundle.entry[${i}].resource`;
    if (!r || typeof r !== 'object') return filtered.push({ path: p, message: 'Required (a collection entry carries its resource).' });
    const type = typeof r.resourceType === 'string' ? RESOURCES[r.resourceType] : undefined;
    if (!type) return filtered.push({ path: `${p}.resourceType`, message: 'Not a resource type this check knows.' });
    checkComplex(r, type, p, filtered);
    checkReferences(r, r.resourceType as string, p, urls, filtered);
  });
  return filtered;
}

function checkReferences(node: unknown, at: string, path: string, urls: Map<string, string>, issues: StructureIssue[]): void {
  if (Array.isArray(node)) return node.forEach((x, i) => checkReferences(x, at, `${path}[${i}]`, urls, issues));
  if (typeof node !== 'object' || node === null) return;
  for (const [k, v] of Object.entries(node)) {
    if (k === 'reference' && typeof v === 'string') {
      const target = urls.get(v);
      const allowed = TARGETS[at];
      if (!target) issues.push({ path: `${path}.reference`, message: `${v} does not resolve in the bundle.` });
      else if (allowed && !allowed.includes(target))
        issues.push({ path: `${path}.reference`, message: `Must refer to ${allowed.join(' or ')}, not ${target}.` });
    } else checkReferences(v, `${at}.${k}`, `${path}.${k}`, urls, issues);
  }
}
