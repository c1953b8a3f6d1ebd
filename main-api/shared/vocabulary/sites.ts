// Where on the body a vaccine went and by which route: SNOMED CT codes. A record carries the
// code with its SNOMED term, because an export to another clinical system needs both; people
// read the plain words in the label records, on the screen and on the printed record alike.
// The SNOMED terms are as the product first used them: check them against the current UK
// release before an export relies on them.
import { z } from 'zod';
import { column } from './code-set';

export const SITE_CODES = ['368208006', '368209003', '61396006', '11207009', '279549004', '123851003'] as const;
export const SiteCode = z.enum(SITE_CODES);
export type SiteCode = z.infer<typeof SiteCode>;

/** The words people read for each site, and the SNOMED CT term stored and exported with it. */
const SITES: Readonly<Record<SiteCode, { label: string; term: string }>> = {
  '368208006': { label: 'Left upper arm', term: 'Left upper arm structure' },
  '368209003': { label: 'Right upper arm', term: 'Right upper arm structure' },
  '61396006': { label: 'Left thigh', term: 'Left thigh structure' },
  '11207009': { label: 'Right thigh', term: 'Right thigh structure' },
  '279549004': { label: 'Nose', term: 'Nasal cavity structure' },
  '123851003': { label: 'Mouth', term: 'Mouth region structure' },
};
export const SITE_LABELS = column(SITES, 'label');
export const SITE_SNOMED_TERMS = column(SITES, 'term');

export const ROUTE_CODES = ['78421000', '34206005', '372464004', '46713006', '26643006'] as const;
export const RouteCode = z.enum(ROUTE_CODES);
export type RouteCode = z.infer<typeof RouteCode>;

export const ROUTE_LABELS: Record<RouteCode, string> = {
  '78421000': 'Intramuscular route',
  '34206005': 'Subcutaneous route',
  '372464004': 'Intradermal route',
  '46713006': 'Nasal route',
  '26643006': 'Oral route',
};

/**
 * The SNOMED CT term stored and exported with each route code (also ims.vaccine_product's
 * default routes): the route terms already read as plain words, so they are the labels too.
 */
export const ROUTE_SNOMED_TERMS: Readonly<Record<RouteCode, string>> = ROUTE_LABELS;

/** The one site that follows from a route: an oral vaccine goes in the mouth, a nasal one in the nose. */
export const USUAL_SITE_FOR_ROUTE: Partial<Record<RouteCode, SiteCode>> = {
  '26643006': '123851003',
  '46713006': '279549004',
};

interface Coding {
  code: string;
  term: string;
}

/** The site as a SNOMED coding, for a record. */
export const siteCoding = (code: SiteCode): Coding => ({ code, term: SITE_SNOMED_TERMS[code] });

/** The route as a SNOMED coding, for a record. */
export const routeCoding = (code: RouteCode): Coding => ({ code, term: ROUTE_SNOMED_TERMS[code] });

/**
 * The words for a recorded site. A record imported from another system may use a site code
 * outside this list; its own SNOMED term is then the only description there is.
 */
export function siteLabel(site: Coding): string {
  return (SITE_LABELS as Record<string, string>)[site.code] ?? site.term;
}

/** The words for a recorded route; as siteLabel, a code outside the list keeps its own term. */
export function routeLabel(route: Coding): string {
  return (ROUTE_LABELS as Record<string, string>)[route.code] ?? route.term;
}

export const isSiteCode = (code: string | null | undefined): code is SiteCode => SiteCode.safeParse(code).success;
export const isRouteCode = (code: string | null | undefined): code is RouteCode => RouteCode.safeParse(code).success;
