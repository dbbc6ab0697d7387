// Calendar fast paths: dayOf and dayParts read a table of month starts for 1900–2200 and compute
// elsewhere; both must agree with the plain definitions on every day, inside and around the table.
import t from 'tap'
import {
  addMonths,
  addYears,
  dayOf,
  dayParts,
  daysInMonth,
  fromDay,
  fullMonthsBetween,
  toDay,
} from '../../scoring/calendar.ts'

const MS_PER_DAY = 86_400_000
/** The civil date of a day number through Date (UTC), the slow reference. */
const dateParts = (day: number) => {
  const x = new Date(day * MS_PER_DAY)
  return { year: x.getUTCFullYear(), month: x.getUTCMonth() + 1, day: x.getUTCDate() }
}
/** The definition of full months: the largest m with start + m months <= end. */
function fullMonthsByDefinition(start: number, end: number): number {
  if (end < start) return 0
  let m = 0
  while (addMonths(start, m + 1) <= end) m++
  return m
}

t.test('dayOf and dayParts agree with Date on every day of 1890–2210', async (t) => {
  let bad = 0
  for (let day = Date.UTC(1890, 0, 1) / MS_PER_DAY; day <= Date.UTC(2210, 11, 31) / MS_PER_DAY; day++) {
    const p = dateParts(day)
    const q = dayParts(day)
    if (q.year !== p.year || q.month !== p.month || q.day !== p.day) bad++
    if (dayOf(p.year, p.month, p.day) !== day) bad++
  }
  t.equal(bad, 0)
  t.equal(toDay('1900-01-01'), Date.UTC(1900, 0, 1) / MS_PER_DAY, 'first day of the table')
  t.equal(toDay('2200-12-31'), Date.UTC(2200, 11, 31) / MS_PER_DAY, 'last day of the table')
  t.equal(fromDay(toDay('2200-12-31') + 1), '2201-01-01', 'the day after it')
  t.equal(fromDay(toDay('1900-01-01') - 1), '1899-12-31', 'the day before it')
})

t.test('dayOf outside plain dates computes as before (days and months past their ends)', async (t) => {
  // the arithmetic is linear in the day and counts months on past December
  t.equal(dayOf(2026, 1, 32), toDay('2026-02-01'))
  t.equal(dayOf(2026, 3, 0), toDay('2026-02-28'))
  t.equal(dayOf(2025, 13, 1), toDay('2026-01-01'))
  t.equal(dayOf(2026, 2, 29), toDay('2026-03-01'))
  t.ok(Number.isNaN(dayOf(Number.NaN, 1, 1)))
})

t.test('fullMonthsBetween and addYears agree with their definitions', async (t) => {
  let bad = 0
  // every start of 2023–2025 (two February ends, a leap day) against ends up to ~40 months on
  for (let start = toDay('2023-01-01'); start <= toDay('2025-12-31'); start++) {
    for (let end = start - 2; end <= start + 1_230; end += 1 + (start % 5)) {
      if (fullMonthsBetween(start, end) !== fullMonthsByDefinition(start, end)) bad++
    }
    for (const n of [-1, 1, 4]) if (addYears(start, n) !== addMonths(start, 12 * n)) bad++
  }
  t.equal(bad, 0)
  t.equal(daysInMonth(2024, 2), 29)
})
