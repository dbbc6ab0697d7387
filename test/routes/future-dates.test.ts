// futureDates on its own: every future date and month anywhere in a value, in document order, with its path and words.
import t from 'tap'
import { futureDates } from '../../src/services/future-dates.ts'

t.test('finds future dates and months at any depth, in order, and nothing else', async (t) => {
  const value = {
    asOf: '2026-05-01',
    region: '3302120000',
    list: [{ from: '2026-04', to: '2026-05' }, ['2027-01-01', 'not-a-date', '2026-04-30']],
    stamp: '2026-05-01T00:00:00Z',
    nested: { deep: { month: '2099-12', sameMonth: '2026-04', today: '2026-04-30' } },
  }
  const found = futureDates(value, 'body.applicant', '2026-04-30')
  t.same(
    found.map((f) => f.path),
    [
      'body.applicant.asOf',
      'body.applicant.list.0.to',
      'body.applicant.list.1.0',
      'body.applicant.nested.deep.month',
    ],
  )
  t.same(found[0].message, {
    zh: '2026-05-01 晚于今天（2026-04-30）',
    en: '2026-05-01 is after today (2026-04-30)',
  })
  t.same(found[1].message, {
    zh: '2026-05 晚于本月（2026-04）',
    en: '2026-05 is after the current month (2026-04)',
  })
  t.same(
    futureDates('2026-05-01', 'body.asOf', '2026-04-30').map((f) => f.path),
    ['body.asOf'],
  )
  t.same(futureDates(value.nested, 'x', '2100-01-01'), [], 'nothing after a later today')
})
