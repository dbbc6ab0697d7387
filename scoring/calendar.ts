// Calendar arithmetic on plain dates (no time zones, no timestamps): day numbers, months, years.

/** A calendar date as a count of days since 1970-01-01 (UTC calendar, no time of day). */
export type DayNumber = number
/** A calendar month as year * 12 + (month - 1). */
export type MonthIndex = number

import { daysInMonth, isLeapYear } from '../lib/calendar.ts'

export { daysInMonth, isCalendarDate, isCalendarMonth, isLeapYear } from '../lib/calendar.ts'

/** Day number of a civil date by H. Hinnant's days_from_civil (integer arithmetic; Date objects are slow). */
function daysFromCivil(year: number, month: number, day: number): DayNumber {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

const FIRST_TABLE_YEAR = 1900
const LAST_TABLE_YEAR = 2200
/**
 * Day number of the 1st of each month of the years dates may take (1900–2200, see
 * isCalendarDate), at (year - 1900) * 12 + month - 1. Evaluation turns dates into day numbers and
 * back a few dozen times per applicant; a table read is cheaper than the divisions of
 * daysFromCivil. Built once at load (3,612 numbers).
 */
const MONTH_STARTS: readonly DayNumber[] = Array.from(
  { length: (LAST_TABLE_YEAR - FIRST_TABLE_YEAR + 1) * 12 },
  (_, i) => daysFromCivil(FIRST_TABLE_YEAR + Math.floor(i / 12), (i % 12) + 1, 1),
)

/** Day number of a civil date: from MONTH_STARTS for the years it covers, else computed. */
export function dayOf(year: number, month: number, day: number): DayNumber {
  if (
    year >= FIRST_TABLE_YEAR &&
    year <= LAST_TABLE_YEAR &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= 31 &&
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day)
  )
    return MONTH_STARTS[(year - FIRST_TABLE_YEAR) * 12 + month - 1] + day - 1
  return daysFromCivil(year, month, day)
}

/** Parses YYYY-MM-DD (already validated) into a day number. */
export function toDay(s: string): DayNumber {
  return dayOf(
    (s.charCodeAt(0) - 48) * 1000 +
      (s.charCodeAt(1) - 48) * 100 +
      (s.charCodeAt(2) - 48) * 10 +
      (s.charCodeAt(3) - 48),
    (s.charCodeAt(5) - 48) * 10 + (s.charCodeAt(6) - 48),
    (s.charCodeAt(8) - 48) * 10 + (s.charCodeAt(9) - 48),
  )
}

const TABLE_FIRST_DAY = MONTH_STARTS[0]
const TABLE_END_DAY = dayOf(LAST_TABLE_YEAR + 1, 1, 1)
/** days per month on average over the 400-year cycle */
const MEAN_MONTH_DAYS = 146_097 / 4_800

/** The civil date of a day number. */
export function dayParts(dayNumber: DayNumber): { year: number; month: number; day: number } {
  if (dayNumber >= TABLE_FIRST_DAY && dayNumber < TABLE_END_DAY && Number.isInteger(dayNumber)) {
    // in MONTH_STARTS' years: estimate the month from the mean month length, step to the right one
    // (a step at most), and read the day off its start; cheaper than the divisions below
    let i = Math.min(Math.floor((dayNumber - TABLE_FIRST_DAY) / MEAN_MONTH_DAYS), MONTH_STARTS.length - 1)
    while (MONTH_STARTS[i] > dayNumber) i--
    while (i + 1 < MONTH_STARTS.length && MONTH_STARTS[i + 1] <= dayNumber) i++
    const years = Math.floor(i / 12)
    return { year: FIRST_TABLE_YEAR + years, month: i - years * 12 + 1, day: dayNumber - MONTH_STARTS[i] + 1 }
  }
  // elsewhere, Hinnant's civil_from_days
  const z = dayNumber + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  )
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day }
}

export function fromDay(day: DayNumber): string {
  const p = dayParts(day)
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`
}

/** Parses YYYY-MM (already validated) into a month index. */
export function toMonth(s: string): MonthIndex {
  const year =
    (s.charCodeAt(0) - 48) * 1000 +
    (s.charCodeAt(1) - 48) * 100 +
    (s.charCodeAt(2) - 48) * 10 +
    (s.charCodeAt(3) - 48)
  return year * 12 + (s.charCodeAt(5) - 48) * 10 + (s.charCodeAt(6) - 48) - 1
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

/** The same day `n` years later (addMonths by 12n); 29 February becomes the 28th in a common year. */
export function addYears(day: DayNumber, n: number): DayNumber {
  const p = dayParts(day)
  const year = p.year + n
  // the month is unchanged, so only 29 February can need clamping
  return dayOf(year, p.month, p.month === 2 && p.day === 29 && !isLeapYear(year) ? 28 : p.day)
}

/**
 * Whole months from `start` to `end`: the largest m with start + m months <= end.
 * 2016-01-15 → 2026-01-14 is 119; → 2026-01-15 is 120. Negative spans give 0.
 */
export function fullMonthsBetween(start: DayNumber, end: DayNumber): number {
  if (end < start) return 0
  const a = dayParts(start)
  const b = dayParts(end)
  const m = (b.year - a.year) * 12 + (b.month - a.month)
  // start + m months falls in end's month, on start's day clamped to that month's length; it is
  // past `end` only when start's day is later and end is not its month's last day. (The same
  // answer as comparing addMonths(start, m) with end, without a second dayParts and dayOf.)
  return a.day > b.day && b.day < daysInMonth(b.year, b.month) ? m - 1 : m
}

/** Whole years from `start` to `end` (an age: birthday reached on the day itself). */
export function fullYearsBetween(start: DayNumber, end: DayNumber): number {
  return Math.floor(fullMonthsBetween(start, end) / 12)
}
