// Warnings for a dose about to be recorded: the recording form shows them before saving.
import { ageDay, antigenMask, maskAntigens, type CompiledRules } from './compile';
import { describeExactAge, formatLongDay, requireDay } from '../shared/calendar/dates';
import { ageText, buildContext, evaluateCampaign, evaluateSeries, intervalText, seriesInForce, type SeriesState } from './forecast';
import type { DoseWarning, EventInput, PersonInput, WarningCode } from './types';
import { OPEN_SERIES_STATUSES } from '../shared/vocabulary/schedule';

const DUPLICATE_WINDOW_DAYS = 14;

export function checkProposedDose(
  rules: CompiledRules,
  person: PersonInput,
  events: EventInput[],
  proposed: { date: string; antigens: string[] },
): DoseWarning[] {
  const day = requireDay(proposed.date, 'proposed date');
  const mask = antigenMask(proposed.antigens);
  const warnings: DoseWarning[] = [];
  const add = (code: WarningCode, seriesId: string | null, explanation: string) => {
    if (!warnings.some((w) => w.code === code && w.seriesId === seriesId)) warnings.push({ code, seriesId, explanation });
  };
  if (mask === 0) {
    add('NOT_IN_SCHEDULE', null, `None of ${proposed.antigens.join(', ') || '(no antigens)'} is a known antigen`);
    return warnings;
  }
  // The state of each series on the proposed date, from the doses already recorded.
  const ctx = buildContext(rules, person, events, proposed.date);
  const dob = ctx.dob;

  for (let e = 0; e < ctx.n; e++) {
    if (!ctx.given[e]) continue;
    const shared = (ctx.mask[e] as number) & mask;
    const gap = Math.abs((ctx.day[e] as number) - day);
    if (shared !== 0 && gap < DUPLICATE_WINDOW_DAYS) {
      add(
        'LIKELY_DUPLICATE',
        null,
        `${maskAntigens(shared).join(', ')} already recorded as given on ${formatLongDay(ctx.day[e] as number)}, ${gap} day${gap === 1 ? '' : 's'} ${(ctx.day[e] as number) > day ? 'after' : 'before'} this date`,
      );
    }
  }

  const relevant: SeriesState[] = [];
  const tooYoungFor: SeriesState[] = [];
  for (const s of seriesInForce(rules, day)) {
    const fits = s.exact ? mask === s.mask : (mask & s.mask) === s.mask;
    if (!fits) continue;
    const st = evaluateSeries(ctx, s, s.cautions.length > 0);
    if (day < st.considerFromDay) tooYoungFor.push(st);
    else relevant.push(st);
  }
  let inSchedule = false;
  // A product that a still-open series wants is not a duplicate of another series it also
  // covers (dTaP/IPV in pregnancy for a woman whose Td/IPV course is complete).
  const wanted = relevant.some((st) => OPEN_SERIES_STATUSES.includes(st.out.status));
  for (const st of relevant) {
    const s = st.series;
    const o = st.out;
    if (o.status === 'NOT_ELIGIBLE') continue;
    inSchedule = true;
    if (o.status === 'COMPLETE') {
      if (s.kind === 'course' && !wanted)
        add('LIKELY_DUPLICATE', s.id, `${s.name} is already complete (${st.counted} dose${st.counted === 1 ? '' : 's'} counted)`);
      continue;
    }
    const row = st.row;
    if (row === null) continue;
    const n = row.dose;
    if (o.status === 'NEEDS_ASSESSMENT') {
      // The forecast's own explanation carries the reason, the flag and the rule.
      const why = o.explanation.find((l) => l.startsWith('Needs clinical assessment'));
      add('NEEDS_CLINICAL_ASSESSMENT', s.id, why ?? `${s.name} dose ${n} needs clinical assessment first`);
    }
    if (o.status === 'TOO_LATE' || day > st.latestDay) {
      add(
        'OUTSIDE_AGE_WINDOW',
        s.id,
        row.before !== null && day >= ageDay(dob, row.before)
          ? `At ${describeExactAge(dob, day)} the child is past the upper age limit for ${s.name} dose ${n} (before ${row.before.text}); it must not be given late (rule ${row.rule} v${s.version})`
          : `${s.name} dose ${n} can no longer be given on ${formatLongDay(day)} (last day ${formatLongDay(Math.min(st.latestDay, st.dueFrom))}) (rule ${row.rule} v${s.version})`,
      );
      continue;
    }
    if (day < st.earliestByAge) {
      add(
        'TOO_EARLY',
        s.id,
        s.gestation
          ? `At ${ageText(s, st.origin, day)} it is earlier than ${row.earliest.text} of pregnancy, the earliest for ${s.name} dose ${n}; a dose given now would not count (rule ${row.rule} v${s.version})`
          : `At ${describeExactAge(dob, day)} the child is younger than the earliest age of ${row.earliest.text} for ${s.name} dose ${n}; a dose given now would not count (rule ${row.rule} v${s.version})`,
      );
    } else if (day < st.intervalDay) {
      add(
        'TOO_SOON_AFTER_PREVIOUS',
        s.id,
        `${s.name} dose ${n} must be ${intervalText(st)}, so not before ${formatLongDay(st.intervalDay)}; a dose given now would not count (rule ${row.rule} v${s.version})`,
      );
    } else if (day < st.effFrom) {
      add('TOO_EARLY', s.id, `${s.name} dose ${n} is offered from ${formatLongDay(st.effFrom)} (rule ${row.rule} v${s.version})`);
    }
  }
  if (relevant.length === 0 || !relevant.some((st) => st.out.status !== 'NOT_ELIGIBLE')) {
    // Only the nearest series the child is growing into (dTaP/IPV at 2 years: the pre-school booster).
    const open = tooYoungFor.filter((st) => st.out.status !== 'NOT_ELIGIBLE');
    const nearest = Math.min(...open.map((st) => st.considerFromDay));
    for (const st of open) {
      if (st.considerFromDay !== nearest) continue;
      inSchedule = true;
      add(
        'TOO_EARLY',
        st.series.id,
        `At ${describeExactAge(dob, day)} the child is too young for ${st.series.name}; doses before ${st.series.considerFrom?.text ?? 'that age'} belong to the earlier course (v${st.series.version})`,
      );
    }
  }

  for (const c of rules.campaigns) {
    if ((mask & c.mask) !== c.mask) continue;
    if (day < c.start || day > c.end) continue;
    inSchedule = true;
    const cf = evaluateCampaign(ctx, c, false);
    if (cf.status === 'GIVEN')
      add('LIKELY_DUPLICATE', c.id, `${c.name}: already given on ${formatLongDay(requireDay(cf.givenOn as string, 'givenOn'))}`);
    else if (!cf.eligible) {
      add(
        'NOT_IN_SCHEDULE',
        c.id,
        cf.eligibleFrom
          ? `${c.name}: not eligible until ${formatLongDay(requireDay(cf.eligibleFrom, 'eligibleFrom'))}`
          : `${c.name}: no eligibility criterion matches on ${formatLongDay(day)}`,
      );
    }
  }
  if (!inSchedule) {
    add(
      'NOT_IN_SCHEDULE',
      null,
      `No schedule series or campaign in force on ${formatLongDay(day)} offers ${proposed.antigens.join(', ')} to this person`,
    );
  }
  return warnings;
}
