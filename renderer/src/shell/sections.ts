// The navigation sections of the application. People, Cohorts, Campaigns, Child health, Reports and Imports are built so far; the others
// are listed so that people can see what the product will cover.
import type { SessionInfo } from '../../../main-api/contract/session';
import type { Capability } from '../../../main-api/shared/vocabulary/roles';

export interface Section {
  key: string;
  label: string;
  path: string;
  /** One sentence on what the section is for, shown while it is not available. */
  purpose: string;
  available: boolean;
  /** What the user must be allowed to do to see the section (an analyst sees no one's record). */
  needs?: Capability;
}

export const sections: Section[] = [
  {
    key: 'people',
    label: 'People',
    path: '/people',
    available: true,
    needs: 'record.view',
    purpose: 'Find a person and open their record.',
  },
  {
    key: 'cohorts',
    label: 'Cohorts',
    path: '/cohorts',
    available: true,
    needs: 'cohort.count',
    purpose: 'Build lists of people who are eligible for a vaccination programme.',
  },
  {
    key: 'campaigns',
    label: 'Campaigns',
    path: '/campaigns',
    available: true,
    needs: 'campaigns.view',
    purpose: 'Send invitations in waves, and follow reminders and bookings.',
  },
  {
    key: 'child-health',
    label: 'Child health',
    path: '/child-health',
    available: true,
    needs: 'child-health.worklists',
    purpose: 'Follow up children who are due or overdue for their routine vaccinations.',
  },
  { key: 'staff', label: 'Staff', path: '/staff', available: false, purpose: 'Track vaccination of health and social care staff.' },
  {
    key: 'reports',
    label: 'Reports',
    path: '/reports',
    available: true,
    needs: 'coverage.view',
    purpose: 'See uptake and coverage, and produce returns.',
  },
  {
    key: 'imports',
    label: 'Imports',
    path: '/imports',
    available: true,
    needs: 'feeds.import',
    purpose: 'Load registers and vaccination events from other systems.',
  },
  {
    key: 'rules',
    label: 'Rule files',
    path: '/rules',
    available: true,
    needs: 'rules.manage',
    purpose: 'Import campaign and schedule rule files, preview what they change and put them in force.',
  },
  { key: 'admin', label: 'Administration', path: '/admin', available: false, purpose: 'Manage users, organisations and settings.' },
];

/** Whether a section is for this session: no session yet (signed out) decides nothing. */
export function sectionAllowed(key: unknown, session: Pick<SessionInfo, 'capabilities'> | null): boolean {
  const needs = sections.find((s) => s.key === key)?.needs;
  return !needs || session === null || session.capabilities.includes(needs);
}

/** Where the application starts: People, or Reports for someone who reads no one's record. */
export function startPath(session: Pick<SessionInfo, 'capabilities'> | null): string {
  return sectionAllowed('people', session) ? '/people' : '/reports';
}
