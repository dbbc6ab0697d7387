// Calendar arithmetic on plain dates (no time zones, no timestamps): day numbers, months, years.

/** A calendar date as a count of days since 1970-01-01 (UTC calendar, no time of day). */
export type DayNumber = number
/** A calendar month as year * 12 + (month - 1). */
export type MonthIndex = number

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/
const MONTH_RE = /^(\d{4})-(\d{2})$/
const MS_PER_DAY = 86_400_000

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** True when `s` is a real calendar date written YYYY-MM-DD (2023-02-30 is not). */
export function isCalendarDate(s: string): boolean {
  const m = DATE_RE.exec(s)
  if (!m) return false
  const y = Number(m[1])
  const mo = Number(m[2])
  const d = Number(m[3])
  return y >= 1900 && y <= 2200 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo)
}

/** True when `s` is a real month written YYYY-MM. */
export function isCalendarMonth(s: string): boolean {
  const m = MONTH_RE.exec(s)
  if (!m) return false
  const y = Number(m[1])
  const mo = Number(m[2])
  return y >= 1900 && y <= 2200 && mo >= 1 && mo <= 12
}

/** Parses YYYY-MM-DD (already validated) into a day number. */
export function toDay(s: string): DayNumber {
  return Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7)) - 1, Number(s.slice(8, 10))) / MS_PER_DAY
}

export function fromDay(day: DayNumber): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10)
}

export function dayParts(day: DayNumber): { year: number; month: number; day: number } {
  const d = new Date(day * MS_PER_DAY)
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

export function dayOf(year: number, month: number, day: number): DayNumber {
  return Date.UTC(year, month - 1, day) / MS_PER_DAY
}

/** Parses YYYY-MM (already validated) into a month index. */
export function toMonth(s: string): MonthIndex {
  return Number(s.slice(0, 4)) * 12 + Number(s.slice(5, 7)) - 1
}

export function monthOfDay(day: DayNumber): MonthIndex {
  const p = dayParts(day)
  return p.year * 12 + p.month - 1
}

export function fromMonth(m: MonthIndex): string {
  const y = Math.floor(m / 12)
  return `${y}-${String((m % 12) + 1).padStart(2, '0')}`
}

/**
 * The same day `n` months later; a day past the end of the target month is clamped to its last
 * day (2024-01-31 + 1 month = 2024-02-29), as civil law counts periods in months.
 */
export function addMonths(day: DayNumber, n: number): DayNumber {
  const p = dayParts(day)
  const total = p.year * 12 + (p.month - 1) + n
  const y = Math.floor(total / 12)
  const mo = (total % 12) + 1
  return dayOf(y, mo, Math.min(p.day, daysInMonth(y, mo)))
}

export function addYears(day: DayNumber, n: number): DayNumber {
  return addMonths(day, 12 * n)
}

/**
 * Whole months from `start` to `end`: the largest m with start + m months <= end.
 * 2016-01-15 → 2026-01-14 is 119; → 2026-01-15 is 120. Negative spans give 0.
 */
export function fullMonthsBetween(start: DayNumber, end: DayNumber): number {
  if (end < start) return 0
  const a = dayParts(start)
  const b = dayParts(end)
  let m = (b.year - a.year) * 12 + (b.month - a.month)
  if (addMonths(start, m) > end) m -= 1
  return Math.max(0, m)
}

/** Whole years from `start` to `end` (an age: birthday reached on the day itself). */
export function fullYearsBetween(start: DayNumber, end: DayNumber): number {
  return Math.floor(fullMonthsBetween(start, end) / 12)
}
