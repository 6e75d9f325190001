/** An EventBridge schedule expression: when it fires next. */
export interface Schedule {
  /** The first firing strictly after `after` (epoch ms), or undefined when it never fires again. */
  next(after: number): number | undefined;
}

export class ScheduleExpressionError extends Error {
  override name = 'ScheduleExpressionError';
}

const MINUTE = 60_000;

/**
 * Parses `rate(value unit)` or `cron(minutes hours day-of-month month day-of-week year)` (UTC).
 * A rate counts from `anchor` (when the rule was created), so its first firing is one period later.
 */
export function parseSchedule(expression: string, anchor: number): Schedule {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const value = Number(rate[1]);
    if (value < 1) throw new ScheduleExpressionError(`rate must be at least 1: ${expression}`);
    const unit = rate[2].startsWith('minute') ? MINUTE : rate[2].startsWith('hour') ? 60 * MINUTE : 24 * 60 * MINUTE;
    const period = value * unit;
    return { next: (after) => anchor + (Math.floor(Math.max(0, after - anchor) / period) + 1) * period };
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) return new CronSchedule(cron[1]);
  throw new ScheduleExpressionError(`not a schedule expression: ${expression}`);
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** AWS cron: day-of-week 1-7 = SUN-SAT; one of day-of-month / day-of-week is `?`; L, W and # supported. */
class CronSchedule implements Schedule {
  private readonly minutes: Set<number>;
  private readonly hours: Set<number>;
  private readonly months: Set<number>;
  private readonly years: Set<number>;
  private readonly dayOfMonth: (d: Date) => boolean;
  private readonly dayOfWeek: (d: Date) => boolean;
  private readonly dayRule: 'dom' | 'dow' | 'both';

  constructor(private readonly text: string) {
    const fields = text.trim().split(/\s+/);
    if (fields.length !== 6) throw new ScheduleExpressionError(`cron needs 6 fields: cron(${text})`);
    const [min, hour, dom, month, dow, year] = fields;
    this.minutes = this.set(min, 0, 59);
    this.hours = this.set(hour, 0, 23);
    this.months = this.set(month, 1, 12, MONTHS);
    this.years = this.set(year, 1970, 2199);
    this.dayOfMonth = this.domMatcher(dom);
    this.dayOfWeek = this.dowMatcher(dow);
    this.dayRule = dom === '?' ? 'dow' : dow === '?' ? 'dom' : 'both';
  }

  next(after: number): number | undefined {
    const t = new Date(Math.floor(after / MINUTE) * MINUTE + MINUTE);
    const lastYear = Math.max(...this.years);
    while (t.getUTCFullYear() <= lastYear) {
      if (!this.years.has(t.getUTCFullYear())) {
        t.setTime(Date.UTC(t.getUTCFullYear() + 1, 0, 1));
      } else if (!this.months.has(t.getUTCMonth() + 1)) {
        t.setTime(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1));
      } else if (!this.dayMatches(t)) {
        t.setTime(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + 1));
      } else if (!this.hours.has(t.getUTCHours())) {
        t.setTime(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours() + 1));
      } else if (!this.minutes.has(t.getUTCMinutes())) {
        t.setTime(t.getTime() + MINUTE);
      } else return t.getTime();
    }
    return undefined;
  }

  private dayMatches(d: Date): boolean {
    if (this.dayRule === 'dom') return this.dayOfMonth(d);
    if (this.dayRule === 'dow') return this.dayOfWeek(d);
    return this.dayOfMonth(d) && this.dayOfWeek(d);
  }

  private domMatcher(field: string): (d: Date) => boolean {
    if (field === '?' || field === '*') return () => true;
    if (field === 'L') return (d) => d.getUTCDate() === lastDay(d);
    if (field === 'LW') return (d) => d.getUTCDate() === nearestWeekday(d, lastDay(d));
    const w = /^(\d+)W$/.exec(field);
    if (w) return (d) => d.getUTCDate() === nearestWeekday(d, Math.min(Number(w[1]), lastDay(d)));
    const days = this.set(field, 1, 31);
    return (d) => days.has(d.getUTCDate());
  }

  private dowMatcher(field: string): (d: Date) => boolean {
    if (field === '?' || field === '*') return () => true;
    const nth = /^(\w+)#(\d)$/.exec(field);
    if (nth) {
      const day = this.value(nth[1], DAYS, 1) - 1;
      return (d) => d.getUTCDay() === day && Math.ceil(d.getUTCDate() / 7) === Number(nth[2]);
    }
    const last = /^(\w*)L$/.exec(field);
    if (last) {
      const day = last[1] ? this.value(last[1], DAYS, 1) - 1 : 6;
      return (d) => d.getUTCDay() === day && d.getUTCDate() + 7 > lastDay(d);
    }
    const days = this.set(field, 1, 7, DAYS);
    return (d) => days.has(d.getUTCDay() + 1);
  }

  /** A field of numbers: `*`, lists, ranges, steps (`0/15`, `10-50/10`, or `*` with a step), names. */
  private set(field: string, min: number, max: number, names?: string[]): Set<number> {
    const out = new Set<number>();
    for (const part of field.split(',')) {
      const [range, stepText] = part.split('/');
      const step = stepText === undefined ? 1 : Number(stepText);
      let from: number;
      let to: number;
      if (range === '*') [from, to] = [min, max];
      else if (range.includes('-')) [from, to] = range.split('-').map((v) => this.value(v, names, min)) as [number, number];
      else [from, to] = [this.value(range, names, min), stepText === undefined ? this.value(range, names, min) : max];
      if (!(step >= 1) || from < min || to > max || from > to) throw new ScheduleExpressionError(`bad cron field "${field}" in cron(${this.text})`);
      for (let v = from; v <= to; v += step) out.add(v);
    }
    return out;
  }

  private value(text: string, names: string[] | undefined, base: number): number {
    const i = names?.indexOf(text.toUpperCase()) ?? -1;
    if (i >= 0) return i + (base === 0 ? 0 : 1);
    const n = Number(text);
    if (!Number.isInteger(n)) throw new ScheduleExpressionError(`bad cron value "${text}" in cron(${this.text})`);
    return n;
  }
}

function lastDay(d: Date): number {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
}

/** The weekday nearest to day `n` of d's month, without leaving the month (the `W` rule). */
function nearestWeekday(d: Date, n: number): number {
  const dow = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), n)).getUTCDay();
  if (dow === 6) return n === 1 ? 3 : n - 1;
  if (dow === 0) return n === lastDay(d) ? n - 2 : n + 1;
  return n;
}
