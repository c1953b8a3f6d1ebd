// Letters and templates as the screens show them: a template's problems and a text message's
// length as it is typed (the same functions the main process and the database use), the
// templates grouped by name with their versions, and a production run's progress in words.
import type { MessageTemplate, ProductionProgress } from '../../../../main-api/contract/letters';
import { parseTemplate, SMS_MAX_CHARACTERS, smsLength, type TemplateProblem } from '../../../../main-api/shared/messages/template-text';

/** Every problem in the texts of a template being edited, each with where it is. */
export function templateProblems(
  texts: { where: string; text: string | null | undefined }[],
): { where: string; problem: TemplateProblem }[] {
  return texts.flatMap(({ where, text }) => (text ? parseTemplate(text).problems.map((problem) => ({ where, problem })) : []));
}

/** "143 characters, 1 text message" and how it is counted, for a text message as typed. */
export function smsSummary(text: string): { line: string; detail: string; tooLong: boolean } {
  const s = smsLength(text);
  const parts = s.parts === 1 ? '1 text message' : `${s.parts} text messages`;
  const detail =
    s.encoding === 'GSM'
      ? `${s.leftInPart} characters left in the last part.`
      : `Sent as Unicode because of ${s.unicodeCharacters.map((c) => `“${c}”`).join(' ')}: 70 characters a message, 67 a part when longer.`;
  return {
    line: `${s.characters} characters, ${parts}${s.tooLong ? ` (too long: at most ${SMS_MAX_CHARACTERS} characters)` : ''}`,
    detail,
    tooLong: s.tooLong,
  };
}

export interface TemplateGroup {
  name: string;
  latest: MessageTemplate;
  versions: MessageTemplate[];
  /** The version the campaign uses, if any. */
  inUse: MessageTemplate | null;
}

/** Templates by name, newest version first (the list arrives newest first within a name). */
export function groupTemplates(all: readonly MessageTemplate[]): TemplateGroup[] {
  const byName = new Map<string, MessageTemplate[]>();
  for (const t of all) byName.set(t.name, [...(byName.get(t.name) ?? []), t]);
  return [...byName.entries()].map(([name, versions]) => {
    const sorted = [...versions].sort((a, b) => b.version - a.version);
    return { name, latest: sorted[0]!, versions: sorted, inUse: sorted.find((v) => v.inUse) ?? null };
  });
}

/** "2 min 5 s", "40 s", or "" when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
}

/** A run's progress in words, and as a whole percentage for the bar. */
export function progressWords(p: ProductionProgress): { percent: number; line: string; rate: string } {
  const done = p.produced + p.failed;
  const percent = p.total === 0 ? 100 : Math.min(100, Math.round((done / p.total) * 100));
  const failed = p.failed ? ` (${p.failed} could not be made)` : '';
  const left = p.state === 'running' && p.secondsLeft !== null ? `, about ${formatDuration(p.secondsLeft)} left` : '';
  return {
    percent,
    line: `${done.toLocaleString('en-GB')} of ${p.total.toLocaleString('en-GB')} letters${failed}`,
    rate: p.lettersPerSecond > 0 ? `${p.lettersPerSecond.toLocaleString('en-GB')} letters a second${left}` : '',
  };
}
