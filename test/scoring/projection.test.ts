// The dated projection: hand-computed dates on the shipped Yinzhou table, and the property that it is a fresh evaluation.
import fc from 'fast-check'
import t from 'tap'
import { EXAMPLE_APPLICANT } from '../../schema/api.ts'
import { type ApplicantInput, ApplicantSchema } from '../../schema/applicant.ts'
import { addMonths, fromDay, toDay } from '../../scoring/calendar.ts'
import { compileTable } from '../../scoring/compile.ts'
import { defaultProjectionEnd, projectionDates, projectPoints } from '../../scoring/projection.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'
import { applicant as anyApplicant, asOf as anyAsOf } from './arbitraries.ts'

const yinzhou = compileTable(loadShippedTables().find((x) => x.id === 'yinzhou-points-2022')!)
const ctx = { asOf: '2026-04-30', jurisdiction: '330212' }
const readme = ApplicantSchema.parse(EXAMPLE_APPLICANT)
const parse = (a: ApplicantInput) => ApplicantSchema.parse(a)
const pointOn = (p: { points: { date: string; total: number; eligible: boolean }[] }, date: string) =>
  p.points.find((x) => x.date === date)

t.test('the window: the as-of date, each month-end, and a date that is not one', async (t) => {
  t.equal(defaultProjectionEnd('2026-04-30'), '2029-04-30')
  t.equal(defaultProjectionEnd('2026-01-31'), '2029-01-31')
  t.equal(defaultProjectionEnd('2026-04-15'), '2029-04-30', 'the month-end of 36 months later')
  t.same(projectionDates('2026-04-30', '2026-07-31'), [
    '2026-04-30',
    '2026-05-31',
    '2026-06-30',
    '2026-07-31',
  ])
  t.same(projectionDates('2026-04-15', '2026-06-10'), [
    '2026-04-15',
    '2026-04-30',
    '2026-05-31',
    '2026-06-10',
  ])
  t.same(projectionDates('2026-04-30', '2026-04-30'), ['2026-04-30'])
  t.equal(projectionDates('2026-04-30', defaultProjectionEnd('2026-04-30')).length, 37)
  // leap years: February's month-end
  t.same(projectionDates('2028-01-31', '2028-03-31'), ['2028-01-31', '2028-02-29', '2028-03-31'])
})

t.test('a target reached by accrual: the README applicant reaches 109 on 2026-10-20', async (t) => {
  /*
   * As of 2026-04-30 (schema/api.ts, test/web/page.test.ts): 107.5 = age 20 + education 8 + skill 8
   * + insurance 30 (capped) + residence 86 months × 0.25 = 21.5, + employment 10 + rental 10.
   * Only residence still grows: +0.25 on each 20th (registered 2019-02-20). 109 − 107.5 = 1.5 = 6 months:
   * the 92nd full month completes on 2026-10-20 (92 × 0.25 = 23); on 2026-10-19 it is 91 (108.75).
   * Age stays 38 (20 points up to 40). The permit, last endorsed 2026-02-20, is valid until 2027-02-28
   * (its year runs from 2026-03-01): without the 2027 endorsement the score cannot be used after that.
   */
  const p = projectPoints(yinzhou, readme, ctx, defaultProjectionEnd(ctx.asOf), { points: 109 })
  t.equal(p.from, '2026-04-30')
  t.equal(p.to, '2029-04-30')
  t.equal(p.points.length, 37)
  t.same(p.points[0], { date: '2026-04-30', total: 107.5, eligible: true })
  t.same(pointOn(p, '2026-05-31'), { date: '2026-05-31', total: 107.75, eligible: true }, '87 months')
  t.same(pointOn(p, '2026-09-30'), { date: '2026-09-30', total: 108.75, eligible: true }, '91 months')
  t.same(pointOn(p, '2026-10-31'), { date: '2026-10-31', total: 109, eligible: true }, '92 months')
  t.same(pointOn(p, '2027-02-28'), { date: '2027-02-28', total: 110, eligible: true }, '96 months')
  t.same(pointOn(p, '2027-03-31'), { date: '2027-03-31', total: 110.25, eligible: false }, 'permit lapsed')
  // residence reaches its cap at 120 months (2029-02-20): 30 → 20 + 8 + 8 + 30 + 30 + 20 = 116; then
  // the age: 41 from 2029-03-02, 19 points → 115
  t.equal(pointOn(p, '2029-01-31')?.total, 115.75, '119 months')
  t.equal(pointOn(p, '2029-02-28')?.total, 116, 'capped at 120 months')
  t.equal(pointOn(p, '2029-03-31')?.total, 115, 'age 41')
  t.same(p.target, {
    points: 109,
    by: null,
    reachedOn: '2026-10-20',
    eligibleThen: true,
    short: null,
    never: false,
    reason: null,
  })
})

t.test('a target already met is reached on the as-of date', async (t) => {
  const p = projectPoints(yinzhou, readme, ctx, '2026-06-30', { points: 100 })
  t.equal(p.target?.reachedOn, '2026-04-30')
})

t.test('a target not reached by the date named, while residence still grows', async (t) => {
  // by 2026-10-15: 91 months (2026-09-20) → 108.75, 0.25 short; less than 12 months: not "never"
  const p = projectPoints(yinzhou, readme, ctx, '2026-10-15', { points: 109, by: '2026-10-15' })
  t.equal(p.points.at(-1)?.date, '2026-10-15')
  t.equal(p.points.at(-1)?.total, 108.75)
  t.same(p.target, {
    points: 109,
    by: '2026-10-15',
    reachedOn: null,
    eligibleThen: null,
    short: 0.25,
    never: false,
    reason: '至 2026-10-15 仍未达到，还差 0.25 分；居住时间仍在增加',
  })
})

t.test('a target never reached: everything that accrues is at its cap', async (t) => {
  /*
   * Born 1990-01-01 (36 on 2026-04-30, 39 on 2029-04-30: 20 throughout), bachelor 10, skill level 2 10,
   * insurance since 2010-01 (196 months × 0.5 = 98 → cap 30), residence since 2010-01-10 (195 months ×
   * 0.25 → cap 30), employment since 2015 10, registered rental 10: 20 + 10 + 10 + 30 + 30 + 20 = 120
   * on every date. Target 132.5: 12.5 short, and no item rises.
   */
  const capped = parse({
    birthDate: '1990-01-01',
    education: 'bachelor',
    skills: [{ kind: 'skill_level', level: 2 }],
    socialInsurance: [{ from: '2010-01', to: null, region: '330212' }],
    residence: {
      registeredSince: '2010-01-10',
      region: '330212',
      // (a late endorsement would restart the residence count: 663号 art. 10; this permit has none)
      permit: { issuedOn: '2025-06-01', endorsements: [] },
    },
    employment: [{ kind: 'labour_contract', from: '2015-03-01', to: null, region: '330212' }],
    housing: { kind: 'registered_rental', region: '330212' },
  })
  const p = projectPoints(yinzhou, capped, ctx, defaultProjectionEnd(ctx.asOf), { points: 132.5 })
  t.ok(
    p.points.every((x) => x.total === 120),
    'the total stays 120',
  )
  t.same(p.target, {
    points: 132.5,
    by: null,
    reachedOn: null,
    eligibleThen: null,
    short: 12.5,
    never: true,
    reason: '社会保险、居住时间已达上限，其余各项不随时间增加；还差 12.5 分',
  })
})

t.test('an age bracket lowers the score inside the window', async (t) => {
  /*
   * Born 1985-06-15, bachelor, nothing else: 40 until 2026-06-14 → age 20 + education 10 = 30;
   * 41 from 2026-06-15 → 19 (band 41–54: 19 − 1 × (41 − 41)) → 29; 42 from 2027-06-15 → 18 → 28.
   */
  const older = parse({ birthDate: '1985-06-15', education: 'bachelor' })
  const p = projectPoints(yinzhou, older, ctx, '2027-06-30', { points: 30.5 })
  t.same(
    p.points.map((x) => [x.date, x.total]),
    [
      ['2026-04-30', 30],
      ['2026-05-31', 30],
      ['2026-06-30', 29],
      ...projectionDates('2026-07-31', '2027-05-31').map((d) => [d, 29]),
      ['2027-06-30', 28],
    ],
  )
  t.equal(p.target?.short, 0.5, 'the best is the as-of date: 30.5 − 30')
  t.equal(p.target?.never, true, 'nothing rises in the last 12 months: only the age falls')
  t.equal(p.target?.reason, '没有随时间增加的项目；还差 0.5 分')
})

t.test('a freeze ends inside the window', async (t) => {
  /*
   * A dishonesty record on 2025-09-10: −10 (provisional), frozen 12 months, through 2026-09-09
   * (2025-09-10 + 12 months − 1 day). The deduction stays; the score is usable again from 2026-09-10,
   * until the permit lapses after 2027-02-28.
   */
  const recorded = ApplicantSchema.parse({
    ...EXAMPLE_APPLICANT,
    records: [{ kind: 'dishonesty', date: '2025-09-10' }],
  })
  const p = projectPoints(yinzhou, recorded, ctx, '2027-03-31')
  t.same(p.points[0], { date: '2026-04-30', total: 97.5, eligible: false })
  t.same(pointOn(p, '2026-08-31'), { date: '2026-08-31', total: 98.5, eligible: false }, 'frozen')
  t.same(pointOn(p, '2026-09-30'), { date: '2026-09-30', total: 98.75, eligible: true }, 'thawed')
  t.same(pointOn(p, '2027-03-31'), { date: '2027-03-31', total: 100.25, eligible: false })
  t.equal(p.target, null)
  const frozen = yinzhou.evaluatePoints(recorded, { ...ctx, asOf: '2026-09-09' })
  const thawed = yinzhou.evaluatePoints(recorded, { ...ctx, asOf: '2026-09-10' })
  t.equal(frozen.frozenUntil, '2026-09-09')
  t.equal(thawed.frozenUntil, null)
})

t.test('property: the projected score on each date is a fresh evaluation as of that date', async (t) => {
  const j = fc.constantFrom('330212', '330203', '330200')
  fc.assert(
    fc.property(
      anyApplicant,
      anyAsOf,
      j,
      fc.integer({ min: 0, max: 30 }),
      fc.integer({ min: 0, max: 1_300_000 }),
      (a, at, jurisdiction, months, targetScaled) => {
        const c = { asOf: at, jurisdiction }
        const to = fromDay(addMonths(toDay(at), months))
        const goal = targetScaled / 10_000
        const p = projectPoints(yinzhou, a, c, to, { points: goal })
        for (const x of p.points) {
          const fresh = yinzhou.evaluatePoints(structuredClone(a), { asOf: x.date, jurisdiction })
          if (fresh.total !== x.total || fresh.eligible !== x.eligible)
            throw new Error(
              `${x.date}: projected ${x.total}/${x.eligible}, fresh ${fresh.total}/${fresh.eligible}`,
            )
        }
        const reached = p.target?.reachedOn ?? null
        if (reached !== null) {
          const on = yinzhou.evaluatePoints(a, { asOf: reached, jurisdiction }).total
          if (on < goal) throw new Error(`reached on ${reached} with ${on} < ${goal}`)
          if (reached > at) {
            const before = yinzhou.evaluatePoints(a, {
              asOf: fromDay(toDay(reached) - 1),
              jurisdiction,
            }).total
            if (before >= goal) throw new Error(`already ${before} the day before ${reached}`)
          }
        } else if (p.points.some((x) => x.total >= goal)) throw new Error('a window date reaches the target')
      },
    ),
    { numRuns: 60 },
  )
  t.pass('projection = evaluation as of each date')
})
