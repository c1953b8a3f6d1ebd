// What the histories phase needs to know about each generated person, kept compactly in typed
// arrays while the people are generated: the register can hold millions, and the vaccination
// events are written in a later phase, after the people they refer to.
import { FLAG_CATEGORY_OF, FLAG_CODES } from '../shared/vocabulary/flags';

/** Bits of HistoryPeople.bits. */
export const PB = {
  FEMALE: 1,
  /** Any flu clinical risk group for adults (Green Book chapter 19, morbid obesity included). */
  RISK_ADULT: 2,
  /** A clinical risk group that counts for children (morbid obesity is an adult criterion). */
  RISK_CHILD: 4,
  IMMUNOSUPPRESSED: 8,
  CARE_HOME: 16,
  CARER: 32,
  CONTACT: 64,
  FRONTLINE: 128,
  DEREGISTERED: 256,
} as const;

// Every clinical risk group counts for children too, except morbid obesity (an adult criterion).
const CHILD_RISK = new Set<string>(FLAG_CODES.filter((c) => FLAG_CATEGORY_OF[c] === 'RISK_GROUP' && c !== 'MORBID_OBESITY'));

/** Turns the generator's pre-encoded codes (one object per code) into small integers. */
class Interner {
  readonly values: string[] = [];
  private readonly byObject = new Map<Uint8Array, number>();
  private readonly decoder = new TextDecoder();
  of(value: Uint8Array): number {
    let i = this.byObject.get(value);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(this.decoder.decode(value));
      this.byObject.set(value, i);
    }
    return i;
  }
}

function grow<T extends Int32Array | Uint16Array | Uint8Array | Int16Array>(a: T, size: number): T {
  if (size <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(size, a.length * 2));
  next.set(a);
  return next;
}

export class HistoryPeople {
  count = 0;
  firstId = 0;
  dob = new Int32Array(1024);
  /** Day of death, or -1. */
  death = new Int32Array(1024);
  bits = new Uint16Array(1024);
  decile = new Uint8Array(1024);
  /** Index into practices.values, or -1 when not registered with a practice. */
  practice = new Int16Array(1024);
  /** Index into schools.values, or -1. */
  school = new Int16Array(1024);
  /** Index into careHomes.values, or -1. */
  careHome = new Int16Array(1024);
  /** Estimated day of conception for a pregnancy flag, or -1. */
  conceived = new Int32Array(1024);
  /** Index into employers.values of a frontline staff record, or -1. */
  employer = new Int16Array(1024);
  staffFrom = new Int32Array(1024);
  /** Last day of the staff record, or a large number when open. */
  staffTo = new Int32Array(1024);
  readonly practices = new Interner();
  readonly schools = new Interner();
  readonly careHomes = new Interner();
  readonly employers = new Interner();

  /** Starts a person; flags and staff records that follow belong to them. */
  person(
    id: number,
    dob: number,
    death: number,
    female: boolean,
    decile: number,
    practice: Uint8Array | null,
    school: Uint8Array | null,
    careHome: Uint8Array | null,
  ): void {
    const i = this.count++;
    if (i === 0) this.firstId = id;
    else if (id !== this.firstId + i) throw new Error('Demo people must be numbered consecutively.');
    if (i >= this.dob.length) {
      const n = i + 1;
      this.dob = grow(this.dob, n);
      this.death = grow(this.death, n);
      this.bits = grow(this.bits, n);
      this.decile = grow(this.decile, n);
      this.practice = grow(this.practice, n);
      this.school = grow(this.school, n);
      this.careHome = grow(this.careHome, n);
      this.conceived = grow(this.conceived, n);
      this.employer = grow(this.employer, n);
      this.staffFrom = grow(this.staffFrom, n);
      this.staffTo = grow(this.staffTo, n);
    }
    this.dob[i] = dob;
    this.death[i] = death;
    this.bits[i] = (female ? PB.FEMALE : 0) | (practice ? 0 : PB.DEREGISTERED) | (careHome ? PB.CARE_HOME : 0);
    this.decile[i] = decile;
    this.practice[i] = practice ? this.practices.of(practice) : -1;
    this.school[i] = school ? this.schools.of(school) : -1;
    this.careHome[i] = careHome ? this.careHomes.of(careHome) : -1;
    this.conceived[i] = -1;
    this.employer[i] = -1;
    this.staffFrom[i] = 0;
    this.staffTo[i] = 0;
  }

  flag(code: string): void {
    const i = this.count - 1;
    let b = this.bits[i]!;
    if (code === 'IMMUNOSUPPRESSION') b |= PB.IMMUNOSUPPRESSED;
    if (code === 'CARER') b |= PB.CARER;
    if (code === 'IMMUNOSUPPRESSED_CONTACT') b |= PB.CONTACT;
    if (CHILD_RISK.has(code)) b |= PB.RISK_ADULT | PB.RISK_CHILD;
    if (code === 'MORBID_OBESITY') b |= PB.RISK_ADULT;
    this.bits[i] = b;
  }

  pregnancy(conceived: number): void {
    this.conceived[this.count - 1] = conceived;
  }

  staff(employer: Uint8Array, frontline: boolean, from: number, to: number | null): void {
    if (!frontline) return;
    const i = this.count - 1;
    this.bits[i] = this.bits[i]! | PB.FRONTLINE;
    this.employer[i] = this.employers.of(employer);
    this.staffFrom[i] = from;
    this.staffTo[i] = to ?? 0x7fffffff;
  }
}
