// Fact derivation: insurance counting, permit status and residence restart, employment runs, ages.
import t from 'tap'
import { type ApplicantInput, ApplicantSchema, type InsurancePeriod } from '../../schema/applicant.ts'
import { fromDay, toDay, toMonth } from '../../scoring/calendar.ts'
import {
  countInsurance,
  deriveHouseholdFacts,
  derivePersonFacts,
  freezeLastDay,
  HOUSEHOLD_INDEX,
  PERSON_INDEX,
  permitStatus,
} from '../../scoring/facts.ts'
import { isWithin, NINGBO } from '../../scoring/regions.ts'

const applicant = (a: Partial<ApplicantInput>) => ApplicantSchema.parse({ birthDate: '1990-01-01', ...a })

/** All person facts of `a` as of `asOf` for `jurisdiction`, read by name. */
function facts(a: Partial<ApplicantInput>, asOf: string, jurisdiction = '330212') {
  const f = derivePersonFacts(applicant(a), toDay(asOf), jurisdiction)
  return (name: string): number => {
    const i = PERSON_INDEX.get(name)
    if (i === undefined) throw new Error(`no fact ${name}`)
    return f[i]
  }
}

const period = (from: string, to: string | null, region = '330212', backPaid = false): InsurancePeriod => ({
  from,
  to,
  region,
  backPaid,
})
const ningbo = (r: string) => isWithin(r, NINGBO)
const APRIL_2026 = toMonth('2026-04')

t.test('countInsurance', async (t) => {
  t.test('months are inclusive', async (t) => {
    // 2019-03 … 2024-02: (2024×12+1) − (2019×12+2) + 1 = 24289 − 24230 + 1 = 60
    t.equal(countInsurance([period('2019-03', '2024-02')], ningbo, APRIL_2026).months, 60)
    t.equal(countInsurance([period('2026-04', '2026-04')], ningbo, APRIL_2026).months, 1, 'one month')
  })
  t.test('overlapping months count once', async (t) => {
    // 2020-01…2020-12 ∪ 2020-07…2021-06 = 2020-01…2021-06 = 18 (not 12 + 12 = 24)
    const c = countInsurance([period('2020-01', '2020-12'), period('2020-07', '2021-06')], ningbo, APRIL_2026)
    t.equal(c.months, 18)
    // a period inside another adds nothing: 2020-01…2020-12 ∪ 2020-03…2020-04 = 12
    t.equal(
      countInsurance([period('2020-01', '2020-12'), period('2020-03', '2020-04')], ningbo, APRIL_2026).months,
      12,
    )
    // the same period twice: 12
    t.equal(
      countInsurance([period('2020-01', '2020-12'), period('2020-01', '2020-12')], ningbo, APRIL_2026).months,
      12,
    )
  })
  t.test('adjacent periods are summed with no gap or double count', async (t) => {
    // 2020-01…2020-12 (12) + 2021-01…2021-06 (6) = 18
    const c = countInsurance([period('2021-01', '2021-06'), period('2020-01', '2020-12')], ningbo, APRIL_2026)
    t.equal(c.months, 18)
  })
  t.test('`to: null` runs to the as-of month', async (t) => {
    // 2025-05 … 2026-04 = 8 + 4 = 12
    t.equal(countInsurance([period('2025-05', null)], ningbo, APRIL_2026).months, 12)
  })
  t.test('months after the as-of month are ignored', async (t) => {
    // 2025-01 … 2027-12 clipped to 2025-01 … 2026-04 = 12 + 4 = 16
    t.equal(countInsurance([period('2025-01', '2027-12')], ningbo, APRIL_2026).months, 16)
    t.equal(countInsurance([period('2026-05', '2026-12')], ningbo, APRIL_2026).months, 0, 'wholly after')
    t.equal(
      countInsurance([period('2026-05', null)], ningbo, APRIL_2026).months,
      0,
      'ongoing, starting later',
    )
  })
  t.test('regions out of scope are ignored', async (t) => {
    t.equal(countInsurance([period('2020-01', '2020-12', '330106')], ningbo, APRIL_2026).months, 0)
  })
  t.test('back-paid months count but are flagged', async (t) => {
    // on time 2025-01…2025-06 (6); back-paid 2024-01…2024-12 (12) and 2025-04…2025-08 (04–06 already on
    // time, 07–08 new: 2). months = 2024-01…2025-08 = 20; paid on time = 6; back-paid = 20 − 6 = 14
    const c = countInsurance(
      [
        period('2025-01', '2025-06'),
        period('2024-01', '2024-12', '330212', true),
        period('2025-04', '2025-08', '330212', true),
      ],
      ningbo,
      APRIL_2026,
    )
    t.same(c, { months: 20, paidMonths: 6, backPaidMonths: 14, currentRunMonths: 0 })
  })
  t.test('currentRunMonths: the on-time run that reaches the as-of month', async (t) => {
    // 2025-01 … 2026-04 = 16
    t.equal(countInsurance([period('2025-01', null)], ningbo, APRIL_2026).currentRunMonths, 16)
    // a one-month gap (2025-01) breaks the run: 2025-02 … 2026-04 = 11 + 4 = 15; total 12 + 15 = 27
    const gap = countInsurance([period('2024-01', '2024-12'), period('2025-02', null)], ningbo, APRIL_2026)
    t.equal(gap.currentRunMonths, 15)
    t.equal(gap.months, 27)
    // adjacent periods join: 2024-01 … 2026-04 = 28
    t.equal(
      countInsurance([period('2024-01', '2024-12'), period('2025-01', null)], ningbo, APRIL_2026)
        .currentRunMonths,
      28,
    )
    // stopped in March: not current
    t.equal(countInsurance([period('2024-01', '2026-03')], ningbo, APRIL_2026).currentRunMonths, 0)
    // the last two months back-paid: the on-time run ends 2026-02, so no current run; months 2025-01…2026-04 = 16
    const back = countInsurance(
      [period('2025-01', '2026-02'), period('2026-03', '2026-04', '330212', true)],
      ningbo,
      APRIL_2026,
    )
    t.equal(back.currentRunMonths, 0)
    t.equal(back.months, 16)
  })
})

t.test('insurance scopes in derived facts', async (t) => {
  const socialInsurance = [
    { from: '2024-01', to: '2024-12', region: '330212' }, // Yinzhou 12
    { from: '2023-01', to: '2023-06', region: '330106' }, // Hangzhou 6
    { from: '2022-01', to: '2022-03', region: '310101' }, // Shanghai 3
    { from: '2021-01', to: '2021-02', region: '340102' }, // Anhui 2
    { from: '2021-05', to: '2021-08', region: '320102' }, // Jiangsu 4
    { from: '2020-01', to: '2020-12', region: '110101' }, // Beijing 12
    { from: '2025-01', to: '2025-02', region: '330203' }, // Haishu 2
  ]
  const f = facts({ socialInsurance }, '2026-04-30', '330212')
  t.equal(f('insurance.zhejiang.months'), 20, 'Zhejiang: 12 + 6 + 2')
  t.equal(f('insurance.ningbo.months'), 14, 'Ningbo: 12 + 2')
  t.equal(f('insurance.district.months'), 12, 'Yinzhou only')
  t.equal(f('insurance.yrd.months'), 29, 'YRD: 12 + 6 + 3 + 2 + 4 + 2 (not Beijing)')
  t.equal(f('insurance.town.months'), 0, 'no 9-digit housing code, no town scope')
  const city = facts({ socialInsurance }, '2026-04-30', '330200')
  t.equal(city('insurance.district.months'), 14, 'for the city as jurisdiction the district scope is Ningbo')
  const haishu = facts({ socialInsurance }, '2026-04-30', '330203')
  t.equal(haishu('insurance.district.months'), 2, 'for Haishu only the Haishu months')
})

t.test('town scope: the 9-digit town/street of the housing', async (t) => {
  const socialInsurance = [
    { from: '2025-01', to: '2025-12', region: '330212001' }, // the same street: 12
    { from: '2024-01', to: '2024-06', region: '330212002' }, // another street: 6
    { from: '2023-01', to: '2023-03', region: '330212' }, // county level only: 3
  ]
  const f = facts(
    { socialInsurance, housing: { kind: 'registered_rental', region: '330212001' } },
    '2026-04-30',
    '330212',
  )
  t.equal(f('insurance.town.months'), 12)
  t.equal(f('insurance.district.months'), 21, 'all three are in Yinzhou: 12 + 6 + 3')
  const noTown = facts(
    { socialInsurance, housing: { kind: 'registered_rental', region: '330212' } },
    '2026-04-30',
  )
  t.equal(noTown('insurance.town.months'), 0, 'housing with a 6-digit code has no town')
})

t.test('permitStatus', async (t) => {
  t.same(permitStatus(null, toDay('2026-04-30')), {
    held: false,
    valid: false,
    validSince: null,
    lateEndorsements: 0,
    lastLateEndorsement: null,
  })
  t.test('not yet issued on the date', async (t) => {
    const s = permitStatus({ issuedOn: '2026-05-01', endorsements: [] }, toDay('2026-04-30'))
    t.equal(s.held, false)
    t.equal(s.valid, false)
  })
  t.test('lapses on the first anniversary when not endorsed', async (t) => {
    const p = { issuedOn: '2025-05-10', endorsements: [] }
    // valid 2025-05-10 … 2026-05-09
    t.equal(permitStatus(p, toDay('2026-05-09')).valid, true, 'the day before the anniversary')
    t.equal(permitStatus(p, toDay('2026-05-10')).valid, false, 'on the anniversary')
    t.equal(permitStatus(p, toDay('2025-05-10')).valid, true, 'on the day of issue')
  })
  t.test('an on-time endorsement extends by one year', async (t) => {
    // issued 2024-05-10, valid to 2025-05-09; endorsed 2025-05-01 → valid to 2026-05-09
    const p = { issuedOn: '2024-05-10', endorsements: ['2025-05-01'] }
    const s = permitStatus(p, toDay('2026-04-30'))
    t.equal(s.valid, true)
    t.equal(s.lateEndorsements, 0)
    t.equal(fromDay(s.validSince!), '2024-05-10')
    t.equal(s.lastLateEndorsement, null)
    t.equal(permitStatus(p, toDay('2026-05-10')).valid, false, 'lapses on the second anniversary')
  })
  t.test('a late endorsement restarts validity from its own date', async (t) => {
    // issued 2024-05-10, lapsed 2025-05-10; endorsed late 2025-06-01 → valid 2025-06-01 … 2026-05-31
    const p = { issuedOn: '2024-05-10', endorsements: ['2025-06-01'] }
    const s = permitStatus(p, toDay('2026-04-30'))
    t.equal(s.valid, true)
    t.equal(s.lateEndorsements, 1)
    t.equal(fromDay(s.validSince!), '2025-06-01')
    t.equal(fromDay(s.lastLateEndorsement!), '2025-06-01')
    t.equal(permitStatus(p, toDay('2025-05-20')).valid, false, 'suspended until the late endorsement')
    t.equal(permitStatus(p, toDay('2026-05-31')).valid, true)
    t.equal(permitStatus(p, toDay('2026-06-01')).valid, false)
  })
  t.test('an endorsement on the anniversary itself is late', async (t) => {
    const s = permitStatus({ issuedOn: '2024-05-10', endorsements: ['2025-05-10'] }, toDay('2026-04-30'))
    t.equal(s.lateEndorsements, 1)
    t.equal(fromDay(s.validSince!), '2025-05-10')
  })
  t.test('a second endorsement in the same validity year extends nothing', async (t) => {
    // 2025-05-01 extends to 2026-05-09; 2025-05-05 lies in the year already endorsed
    const p = { issuedOn: '2024-05-10', endorsements: ['2025-05-05', '2025-05-01'] }
    t.equal(permitStatus(p, toDay('2026-05-09')).valid, true)
    t.equal(permitStatus(p, toDay('2026-05-10')).valid, false)
  })
  t.test('endorsements after the date are ignored', async (t) => {
    const s = permitStatus({ issuedOn: '2024-05-10', endorsements: ['2025-06-01'] }, toDay('2025-05-31'))
    t.equal(s.valid, false)
    t.equal(s.lateEndorsements, 0)
  })
})

t.test('residence months restart after a late endorsement', async (t) => {
  // registered and issued 2020-01-15; on time 2021-01-10 (→ expiry 2022-01-15); late 2022-03-01 (→ expiry
  // 2023-03-01); on time 2023-02-20, 2024-02-25, 2025-02-20, 2026-02-20 (→ expiry 2027-03-01)
  const a = {
    residence: {
      registeredSince: '2020-01-15',
      region: '330212',
      permit: {
        issuedOn: '2020-01-15',
        endorsements: ['2021-01-10', '2022-03-01', '2023-02-20', '2024-02-25', '2025-02-20', '2026-02-20'],
      },
    },
  }
  const f = facts(a, '2026-04-30')
  t.equal(f('permit.held'), 1)
  t.equal(f('permit.valid'), 1)
  t.equal(f('permit.lateEndorsements'), 1)
  // 2020-01-15 → 2026-04-15 is 6 × 12 + 3 = 75 months; 04-15 ≤ 04-30
  t.equal(f('residence.registeredMonths'), 75)
  // 2022-03-01 → 2026-04-01 is 4 × 12 + 1 = 49 months
  t.equal(f('residence.months'), 49)
  t.equal(f('permit.validMonths'), 49)
  t.equal(f('residence.registered'), 1)
  t.equal(f('residence.inZhejiang'), 1)
  t.equal(f('residence.inNingbo'), 1)
  t.equal(f('residence.inDistrict'), 1)
})

t.test('residence facts without a permit or outside Zhejiang', async (t) => {
  // registered in Shanghai 2023-03-30: 37 months to 2026-04-30, but not in Zhejiang
  const f = facts({ residence: { registeredSince: '2023-03-30', region: '310101' } }, '2026-04-30')
  t.equal(f('residence.months'), 37)
  t.equal(f('residence.inZhejiang'), 0)
  t.equal(f('permit.held'), 0)
  t.equal(f('permit.validMonths'), 0)
  const none = facts({}, '2026-04-30')
  t.equal(none('residence.registered'), 0)
  t.equal(none('residence.months'), 0)
  const later = facts({ residence: { registeredSince: '2026-05-01', region: '330212' } }, '2026-04-30')
  t.equal(later('residence.registered'), 0, 'registration after the as-of date')
  t.equal(later('residence.months'), 0)
})

t.test('employment runs', async (t) => {
  t.test('one year exactly vs 11 months 30 days', async (t) => {
    const job = (to: string | null) => ({
      employment: [{ kind: 'labour_contract' as const, from: '2025-06-01', to, region: '330212' }],
    })
    // 2025-06-01 … 2026-05-31 inclusive = 12 full months
    t.equal(facts(job(null), '2026-05-31')('employment.ningbo.currentRunMonths'), 12)
    // 2025-06-01 … 2026-05-30: 11 months (to 2026-04-30) and 30 days (2026-05-01 … 30) → 11
    const short = facts(job(null), '2026-05-30')
    t.equal(short('employment.ningbo.currentRunMonths'), 11)
    t.equal(short('employment.ningbo.active'), 1)
    // a contract running past the as-of date is clipped to it
    t.equal(facts(job('2027-12-31'), '2026-05-31')('employment.ningbo.currentRunMonths'), 12)
  })
  t.test('adjacent contracts join into one run', async (t) => {
    const f = facts(
      {
        employment: [
          { kind: 'labour_contract', from: '2024-06-01', to: '2025-02-28', region: '330203' },
          { kind: 'labour_contract', from: '2025-03-01', to: null, region: '330212' },
        ],
      },
      '2026-05-31',
    )
    // Ningbo run 2024-06-01 … 2026-05-31 = 24 months
    t.equal(f('employment.ningbo.currentRunMonths'), 24)
    t.equal(f('employment.ningbo.longestRunMonths'), 24)
    // Yinzhou only 2025-03-01 … 2026-05-31 = 15 months
    t.equal(f('employment.district.currentRunMonths'), 15)
    t.equal(f('employment.district.active'), 1)
  })
  t.test('a one-day gap breaks the run', async (t) => {
    const f = facts(
      {
        employment: [
          { kind: 'labour_contract', from: '2024-06-01', to: '2025-02-27', region: '330212' },
          { kind: 'labour_contract', from: '2025-03-01', to: null, region: '330212' },
        ],
      },
      '2026-05-31',
    )
    // current run 2025-03-01 … 2026-05-31 = 15; earlier run 2024-06-01 … 2025-02-27 = 8 months
    t.equal(f('employment.ningbo.currentRunMonths'), 15)
    t.equal(f('employment.ningbo.longestRunMonths'), 15)
  })
  t.test('a finished contract is not current; outside Ningbo does not count', async (t) => {
    const f = facts(
      {
        employment: [
          { kind: 'labour_contract', from: '2020-01-01', to: '2023-12-31', region: '330212' },
          { kind: 'labour_contract', from: '2024-01-01', to: null, region: '330106' },
        ],
      },
      '2026-04-30',
    )
    t.equal(f('employment.ningbo.active'), 0)
    t.equal(f('employment.ningbo.currentRunMonths'), 0)
    // 2020-01-01 … 2023-12-31 = 48 months
    t.equal(f('employment.ningbo.longestRunMonths'), 48)
  })
  t.test('business licence', async (t) => {
    const f = facts(
      { employment: [{ kind: 'business_licence', from: '2024-01-01', to: null, region: '330212' }] },
      '2026-04-30',
    )
    t.equal(f('employment.ningbo.businessActive'), 1)
    const g = facts(
      { employment: [{ kind: 'labour_contract', from: '2024-01-01', to: null, region: '330212' }] },
      '2026-04-30',
    )
    t.equal(g('employment.ningbo.businessActive'), 0)
  })
})

t.test('age on and just before the birthday', async (t) => {
  t.equal(facts({ birthDate: '1985-05-01' }, '2026-04-30')('age'), 40)
  t.equal(facts({ birthDate: '1985-05-01' }, '2026-05-01')('age'), 41)
  // born 29 Feb 2000: 26 on 2026-02-28 (no 29th that year), 25 the day before
  t.equal(facts({ birthDate: '2000-02-29' }, '2026-02-27')('age'), 25)
  t.equal(facts({ birthDate: '2000-02-29' }, '2026-02-28')('age'), 26)
  t.equal(facts({ birthDate: '2000-02-29' }, '2028-02-28')('age'), 27)
  t.equal(facts({ birthDate: '2000-02-29' }, '2028-02-29')('age'), 28)
  t.ok(Number.isNaN(facts({ birthDate: '2026-05-01' }, '2026-04-30')('age')), 'not yet born: unknown')
})

t.test('skills, education, housing, hukou, records, graduation', async (t) => {
  const f = facts(
    {
      education: 'bachelor',
      skills: [
        { kind: 'skill_level', level: 4 },
        { kind: 'skill_level', level: 2 },
        { kind: 'title', grade: 'junior' },
      ],
      housing: { kind: 'owned', region: '330212', owner: 'spouse' },
      hukou: '330106',
      records: [
        { kind: 'dishonesty', date: '2025-01-01' },
        { kind: 'dishonesty', date: '2026-05-01' },
        { kind: 'crime', date: '2020-01-01' },
      ],
      graduation: { level: 'bachelor', fullTime: true, graduatedOn: '2012-06-30' },
      cityItems: { honours: ['district', 'provincial', 'city'] },
    },
    '2026-04-30',
  )
  t.equal(f('education'), 6, 'bachelor is index 6 of EDUCATION_LEVELS')
  t.equal(f('skill.level'), 2, 'the best (lowest) skill level')
  t.equal(f('title.grade'), 0, 'junior is index 0')
  t.equal(f('skill.specialAbility'), 0)
  t.equal(f('housing.kind'), 4, 'owned is index 4 of HOUSING_KINDS')
  t.equal(f('housing.ownedBySelfOrSpouse'), 1)
  t.equal(f('housing.inNingboUrban'), 1, 'Yinzhou is urban')
  t.equal(f('hukou.inZhejiang'), 1)
  t.equal(f('hukou.inNingbo'), 0)
  t.equal(f('records.dishonesty.count'), 1, 'the 2026-05-01 record is after the as-of date')
  t.equal(f('records.crime.count'), 1)
  // 2012-06-30 → 2026-04-30: 13 full years (14th on 2026-06-30)
  t.equal(f('graduation.yearsSince'), 13)
  t.equal(
    f('city.honour'),
    3,
    'highest honour provincial is index 3 of none/district/city/provincial/national',
  )
  const cixi = facts({ housing: { kind: 'owned', region: '330282', owner: 'self' } }, '2026-04-30')
  t.equal(cixi('housing.inNingbo'), 1)
  t.equal(cixi('housing.inNingboUrban'), 0, 'Cixi is a county-level city, not urban')
  t.equal(cixi('housing.inDistrict'), 0)
})

t.test('household facts: P1 age window', async (t) => {
  // intake year 2026: born 2019-09-01 … 2020-08-31
  const ok = (birthDate: string) =>
    deriveHouseholdFacts({ birthDate, hukou: null, entryGrade: 'P1' }, [], toDay('2026-04-30'), '330212')[
      HOUSEHOLD_INDEX.get('child.p1AgeOk')!
    ]
  t.equal(ok('2019-08-31'), 0)
  t.equal(ok('2019-09-01'), 1)
  t.equal(ok('2020-08-31'), 1)
  t.equal(ok('2020-09-01'), 0)
})

t.test('freezeLastDay', async (t) => {
  // 2025-05-01 + 12 months = 2026-05-01; last frozen day 2026-04-30
  t.equal(fromDay(freezeLastDay(toDay('2025-05-01'), 12)), '2026-04-30')
  // 2024-01-31 + 1 month = 2024-02-29; last frozen day 2024-02-28
  t.equal(fromDay(freezeLastDay(toDay('2024-01-31'), 1)), '2024-02-28')
})
