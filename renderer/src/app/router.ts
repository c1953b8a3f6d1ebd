import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import { sectionAllowed, sections, startPath } from '../shell/sections';
import PeopleSearch from '../features/people/PeopleSearch.vue';
import PersonRecord from '../features/people/PersonRecord.vue';
import CoverageReport from '../features/reporting/CoverageReport.vue';
import CoverReturn from '../features/reporting/CoverReturn.vue';
import CohortBuilder from '../features/cohorts/CohortBuilder.vue';
import CampaignsScreen from '../features/campaigns/CampaignsScreen.vue';
import CampaignSetup from '../features/campaigns/CampaignSetup.vue';
import RuleFiles from '../features/rules/RuleFiles.vue';
import ImportsScreen from '../features/feeds/ImportsScreen.vue';
import SendingSettings from '../features/sending/SendingSettings.vue';
import ChildHealthScreen from '../features/child-health/ChildHealthScreen.vue';
import WorklistScreen from '../features/child-health/WorklistScreen.vue';
import SchoolSessions from '../features/schools/SchoolSessions.vue';
import FhirImport from '../features/exchange/FhirImport.vue';
import ReviewQueue from '../features/exchange/ReviewQueue.vue';
import { useSessionStore } from '../platform/stores/session';
import NotAvailable from '../shell/NotAvailable.vue';
import NotFound from '../shell/NotFound.vue';

// Screens are bundled, not loaded on demand: a chunk fetched lazily would fail exactly
// when the host has gone, and the window would go blank instead of saying so.

export function createAppRouter() {
  const routes: RouteRecordRaw[] = [
    // An analyst, who reads no one's record, starts on the figures.
    { path: '/', redirect: () => startPath(useSessionStore().session) },
    { path: '/people', name: 'people', component: PeopleSearch, meta: { section: 'people' } },
    { path: '/reports', name: 'reports', component: CoverageReport, meta: { section: 'reports' } },
    { path: '/reports/cover', name: 'cover', component: CoverReturn, meta: { section: 'reports' } },
    { path: '/cohorts', name: 'cohorts', component: CohortBuilder, meta: { section: 'cohorts' } },
    {
      // A saved cohort: its latest version, or ?version=N.
      path: '/cohorts/saved/:id(\\d+)',
      name: 'cohort',
      component: CohortBuilder,
      props: (route) => ({
        id: Number(route.params.id),
        version: typeof route.query.version === 'string' && /^\d{1,7}$/.test(route.query.version) ? Number(route.query.version) : undefined,
      }),
      meta: { section: 'cohorts' },
    },
    { path: '/campaigns', name: 'campaigns', component: CampaignsScreen, meta: { section: 'campaigns' } },
    { path: '/campaigns/new', name: 'campaign-new', component: CampaignSetup, meta: { section: 'campaigns' } },
    {
      path: '/campaigns/:code([A-Z0-9_-]{2,40})/set-up',
      name: 'campaign-setup',
      component: CampaignSetup,
      props: (route) => ({ code: String(route.params.code) }),
      meta: { section: 'campaigns' },
    },
    {
      path: '/campaigns/:code([A-Z0-9_-]{2,40})',
      name: 'campaign',
      component: CampaignsScreen,
      props: (route) => ({ code: String(route.params.code) }),
      meta: { section: 'campaigns' },
    },
    { path: '/rules', name: 'rules', component: RuleFiles, meta: { section: 'rules' } },
    { path: '/imports', name: 'imports', component: ImportsScreen, meta: { section: 'imports' } },
    { path: '/child-health', name: 'child-health', component: ChildHealthScreen, meta: { section: 'child-health' } },
    {
      path: '/child-health/worklists/:id(\\d+)',
      name: 'worklist',
      component: WorklistScreen,
      props: (route) => ({ id: Number(route.params.id) }),
      meta: { section: 'child-health' },
    },
    // School sessions, within Child health (consent and session planning per school).
    { path: '/child-health/schools', name: 'school-sessions', component: SchoolSessions, meta: { section: 'child-health' } },
    // Vaccinations from other systems: a FHIR file, and the queue of doubtful matches.
    { path: '/imports/fhir', name: 'imports-fhir', component: FhirImport, meta: { section: 'imports' } },
    { path: '/imports/review', name: 'imports-review', component: ReviewQueue, meta: { section: 'imports' } },
    {
      path: '/imports/review/:id(\\d+)',
      name: 'imports-review-item',
      component: ReviewQueue,
      props: (route) => ({ id: Number(route.params.id) }),
      meta: { section: 'imports' },
    },
    // How campaign messages leave (administrators: the database refuses anyone else).
    { path: '/settings/sending', name: 'sending-settings', component: SendingSettings, meta: { section: 'campaigns' } },
    {
      path: '/people/:id(\\d+)',
      name: 'person',
      component: PersonRecord,
      props: (route) => ({ id: Number(route.params.id) }),
      meta: { section: 'people' },
    },
    ...sections
      .filter((s) => !s.available)
      .map<RouteRecordRaw>((s) => ({
        path: s.path,
        name: s.key,
        component: NotAvailable,
        props: { section: s.key },
        meta: { section: s.key },
      })),
    { path: '/:rest(.*)*', name: 'not-found', component: NotFound },
  ];
  const router = createRouter({ history: createWebHashHistory(), routes });
  // A section the user may not use is not offered; typed into the address, it shows the start.
  router.beforeEach((to) => {
    const session = useSessionStore().session;
    if (sectionAllowed(to.meta.section, session) || to.path === startPath(session)) return true;
    return { path: startPath(session), replace: true };
  });
  return router;
}
