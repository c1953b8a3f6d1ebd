// The navigation sections of the application. Only People is built so far; the others
// are listed so that people can see what the product will cover.
export interface Section {
  key: string;
  label: string;
  path: string;
  /** One sentence on what the section is for, shown while it is not available. */
  purpose: string;
  available: boolean;
}

export const sections: Section[] = [
  { key: 'people', label: 'People', path: '/people', available: true, purpose: 'Find a person and open their record.' },
  {
    key: 'cohorts',
    label: 'Cohorts',
    path: '/cohorts',
    available: false,
    purpose: 'Build lists of people who are eligible for a vaccination programme.',
  },
  {
    key: 'invitations',
    label: 'Invitations',
    path: '/invitations',
    available: false,
    purpose: 'Send invitations and reminders by letter, email or text message.',
  },
  {
    key: 'child-health',
    label: 'Child health',
    path: '/child-health',
    available: false,
    purpose: 'Follow up children who are due or overdue for their routine vaccinations.',
  },
  { key: 'staff', label: 'Staff', path: '/staff', available: false, purpose: 'Track vaccination of health and social care staff.' },
  { key: 'reports', label: 'Reports', path: '/reports', available: false, purpose: 'See uptake and coverage, and produce returns.' },
  {
    key: 'imports',
    label: 'Imports',
    path: '/imports',
    available: false,
    purpose: 'Load registers and vaccination events from other systems.',
  },
  { key: 'admin', label: 'Administration', path: '/admin', available: false, purpose: 'Manage users, organisations and settings.' },
];
