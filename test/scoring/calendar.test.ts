// Calendar arithmetic: validation, day and month numbers, month addition with clamping, full months and ages.
import t from 'tap'
import {
  addMonths,
  addYears,
  dayParts,
  daysInMonth,
  fromDay,
  fromMonth,
  fullMonthsBetween,
  fullYearsBetween,
  isCalendarDate,
  isCalendarMonth,
  monthOfDay,
  toDay,
  toMonth,
} from '../../scoring/calendar.ts'

const d = toDay

t.test('isCalendarDate accepts real dates only', async (t) => {
  t.equal(isCalendarDate('2024-02-29'), true, '2024 is a leap year')
  t.equal(isCalendarDate('2023-02-29'), false, '2023 is not a leap year')
  t.equal(isCalendarDate('2023-02-30'), false)
  t.equal(isCalendarDate('2000-02-29'), true, '2000 is divisible by 400')
  t.equal(isCalendarDate('1900-02-29'), false, '1900 is divisible by 100 but not 400')
  t.equal(isCalendarDate('2026-04-31'), false, 'April has 30 days')
  t.equal(isCalendarDate('2026-13-01'), false)
  t.equal(isCalendarDate('2026-00-10'), false)
  t.equal(isCalendarDate('2026-01-00'), false)
  t.equal(isCalendarDate('2026-4-30'), false, 'needs two-digit month')
  t.equal(isCalendarDate('1899-12-31'), false, 'before 1900 is out of range')
  t.equal(isCalendarDate('2201-01-01'), false, 'after 2200 is out of range')
  t.equal(isCalendarDate('2026-04-30T00:00'), false)
})

t.test('isCalendarMonth', async (t) => {
  t.equal(isCalendarMonth('2026-12'), true)
  t.equal(isCalendarMonth('2026-13'), false)
  t.equal(isCalendarMonth('2026-00'), false)
  t.equal(isCalendarMonth('2026-1'), false)
  t.equal(isCalendarMonth('2026-01-01'), false)
})

t.test('daysInMonth', async (t) => {
  t.equal(daysInMonth(2024, 2), 29)
  t.equal(daysInMonth(2023, 2), 28)
  t.equal(daysInMonth(2100, 2), 28, '2100 is not a leap year')
  t.equal(daysInMonth(2000, 2), 29)
  t.equal(daysInMonth(2026, 4), 30)
  t.equal(daysInMonth(2026, 12), 31)
})

t.test('day numbers', async (t) => {
  t.equal(d('1970-01-01'), 0, 'epoch is day 0')
  t.equal(d('1970-01-02'), 1)
  t.equal(d('1969-12-31'), -1)
  // 2000-02-28 → 2000-02-29 → 2000-03-01: two days in a leap year
  t.equal(d('2000-03-01') - d('2000-02-28'), 2)
  // 2023-02-28 → 2023-03-01: one day
  t.equal(d('2023-03-01') - d('2023-02-28'), 1)
  t.equal(fromDay(d('2024-02-29')), '2024-02-29')
  t.equal(fromDay(d('1950-01-01')), '1950-01-01')
  t.same(dayParts(d('2026-04-30')), { year: 2026, month: 4, day: 30 })
})

t.test('month indexes', async (t) => {
  // 2026 × 12 + (4 − 1) = 24312 + 3 = 24315
  t.equal(toMonth('2026-04'), 24315)
  t.equal(fromMonth(24315), '2026-04')
  // 2019 × 12 + 11 = 24228 + 11 = 24239
  t.equal(toMonth('2019-12'), 24239)
  t.equal(fromMonth(24239 + 1), '2020-01')
  t.equal(monthOfDay(d('2026-04-30')), toMonth('2026-04'))
  t.equal(monthOfDay(d('2026-05-01')), toMonth('2026-05'))
})

t.test('addMonths clamps to the last day of a shorter month', async (t) => {
  t.equal(fromDay(addMonths(d('2024-01-31'), 1)), '2024-02-29')
  t.equal(fromDay(addMonths(d('2023-01-31'), 1)), '2023-02-28')
  t.equal(fromDay(addMonths(d('2026-03-31'), 1)), '2026-04-30')
  t.equal(fromDay(addMonths(d('2025-11-15'), 3)), '2026-02-15', 'across a year end')
  t.equal(fromDay(addMonths(d('2026-04-30'), -2)), '2026-02-28', 'backwards')
  t.equal(fromDay(addMonths(d('2026-01-15'), -1)), '2025-12-15', 'backwards across a year end')
  t.equal(fromDay(addYears(d('2024-02-29'), 1)), '2025-02-28')
  t.equal(fromDay(addYears(d('2024-02-29'), 4)), '2028-02-29')
})

t.test('fullMonthsBetween', async (t) => {
  // 2016-01-15 + 120 months = 2026-01-15 > 2026-01-14 → 119
  t.equal(fullMonthsBetween(d('2016-01-15'), d('2026-01-14')), 119)
  t.equal(fullMonthsBetween(d('2016-01-15'), d('2026-01-15')), 120)
  t.equal(fullMonthsBetween(d('2026-04-30'), d('2026-04-30')), 0, 'same day')
  t.equal(fullMonthsBetween(d('2026-04-30'), d('2026-03-01')), 0, 'negative span')
  // 2024-01-31 + 1 month = 2024-02-29 (clamped) ≤ 2024-02-29 → 1
  t.equal(fullMonthsBetween(d('2024-01-31'), d('2024-02-29')), 1)
  t.equal(fullMonthsBetween(d('2024-01-31'), d('2024-02-28')), 0)
  // 2023-03-30 + 37 months = 2026-04-30 → 37
  t.equal(fullMonthsBetween(d('2023-03-30'), d('2026-04-30')), 37)
  t.equal(
    fullMonthsBetween(d('2023-03-31'), d('2026-04-29')),
    36,
    '2023-03-31 + 37 months = 2026-04-30 > 04-29',
  )
})

t.test('ages: a birthday counts on the day itself', async (t) => {
  // born 1985-05-01: 41st birthday is 2026-05-01
  t.equal(fullYearsBetween(d('1985-05-01'), d('2026-04-30')), 40, 'the day before the birthday')
  t.equal(fullYearsBetween(d('1985-05-01'), d('2026-05-01')), 41, 'on the birthday')
  // born 2000-02-29: in a common year the anniversary is clamped to 28 February
  t.equal(fullYearsBetween(d('2000-02-29'), d('2026-02-27')), 25)
  t.equal(fullYearsBetween(d('2000-02-29'), d('2026-02-28')), 26)
  // in a leap year the anniversary is 29 February itself
  t.equal(fullYearsBetween(d('2000-02-29'), d('2028-02-28')), 27)
  t.equal(fullYearsBetween(d('2000-02-29'), d('2028-02-29')), 28)
  t.equal(fullYearsBetween(d('2026-05-01'), d('2026-04-30')), 0, 'not yet born')
})
