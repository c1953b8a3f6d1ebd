import { describe, expect, it } from 'vitest';
import { capabilitiesOf } from '../../../main-api/shared/vocabulary/roles';
import { sectionAllowed, startPath } from './sections';

describe('the sections a session is offered', () => {
  const analyst = { capabilities: capabilitiesOf(['analyst']) };
  const coordinator = { capabilities: capabilitiesOf(['coordinator']) };

  it('starts an analyst on the figures, with no People section', () => {
    expect(startPath(analyst)).toBe('/reports');
    expect(sectionAllowed('people', analyst)).toBe(false);
    expect(sectionAllowed('reports', analyst)).toBe(true);
  });

  it('starts everyone else on People, and decides nothing before sign-in', () => {
    expect(startPath(coordinator)).toBe('/people');
    expect(sectionAllowed('reports', coordinator)).toBe(true);
    expect(startPath(null)).toBe('/people');
    expect(sectionAllowed('people', null)).toBe(true);
    // Sections still to come are listed for everyone.
    expect(sectionAllowed('staff', analyst)).toBe(true);
  });

  it('offers Child health to child health staff and administrators only', () => {
    for (const role of ['child-health', 'administrator'] as const)
      expect(sectionAllowed('child-health', { capabilities: capabilitiesOf([role]) })).toBe(true);
    expect(sectionAllowed('child-health', coordinator)).toBe(false);
    expect(sectionAllowed('child-health', analyst)).toBe(false);
  });

  it('offers Cohorts to those who may count people, not to analysts', () => {
    expect(sectionAllowed('cohorts', coordinator)).toBe(true);
    for (const role of ['child-health', 'occupational-health', 'administrator'] as const)
      expect(sectionAllowed('cohorts', { capabilities: capabilitiesOf([role]) })).toBe(true);
    expect(sectionAllowed('cohorts', analyst)).toBe(false);
  });

  it('offers the rule files to administrators only', () => {
    expect(sectionAllowed('rules', { capabilities: capabilitiesOf(['administrator']) })).toBe(true);
    expect(sectionAllowed('rules', coordinator)).toBe(false);
    expect(sectionAllowed('rules', analyst)).toBe(false);
  });
});
