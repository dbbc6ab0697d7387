// fast-check arbitraries for valid applicants in the caller vocabulary (schema/applicant.ts).
import fc from 'fast-check'
import {
  type Applicant,
  type ApplicantInput,
  ApplicantSchema,
  EDUCATION_LEVELS,
  EMPLOYMENT_KINDS,
  HONOUR_LEVELS,
  HOUSING_KINDS,
  ORGAN_DONATION,
  RECORD_KINDS,
  TITLE_GRADES,
} from '../../schema/applicant.ts'
import { idCheckChar } from '../../schema/id-number.ts'
import { fromDay, fromMonth, toDay, toMonth } from '../../scoring/calendar.ts'

/** Ningbo districts, Hangzhou, Shanghai, Anhui, Jiangsu, Beijing. */
export const REGIONS = ['330212', '330203', '330106', '310101', '340102', '320102', '110101'] as const

export const FIRST_DAY = toDay('1950-01-01')
export const LAST_DAY = toDay('2026-12-31')
export const FIRST_MONTH = toMonth('1950-01')
export const LAST_MONTH = toMonth('2026-12')

export const region = fc.constantFrom(...REGIONS)
export const dayNumber = (min = FIRST_DAY, max = LAST_DAY) => fc.integer({ min, max })
export const date = (min = FIRST_DAY, max = LAST_DAY) => dayNumber(min, max).map(fromDay)
/** As-of dates while the 2022 tables are in force. */
export const asOf = date(toDay('2022-04-01'), LAST_DAY)

export const insurancePeriod = fc
  .record({
    from: fc.integer({ min: FIRST_MONTH, max: LAST_MONTH }),
    length: fc.integer({ min: 1, max: 240 }),
    ongoing: fc.boolean(),
    region,
    backPaid: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  })
  .map((p) => ({
    from: fromMonth(p.from),
    to: p.ongoing ? null : fromMonth(Math.min(p.from + p.length - 1, LAST_MONTH)),
    region: p.region,
    backPaid: p.backPaid,
  }))

const permit = fc
  .record({
    issued: dayNumber(toDay('2000-01-01'), LAST_DAY),
    // mostly on-time yearly endorsements, some late ones
    gaps: fc.array(fc.integer({ min: 300, max: 420 }), { maxLength: 30 }),
  })
  .map(({ issued, gaps }) => {
    const endorsements: string[] = []
    let day = issued
    for (const g of gaps) {
      day += g
      if (day > LAST_DAY) break
      endorsements.push(fromDay(day))
    }
    return { issuedOn: fromDay(issued), endorsements }
  })

const residence = fc.option(
  fc.record({ registeredSince: date(), region, permit: fc.option(permit, { nil: null }) }),
  { nil: null },
)

const employment = fc
  .record({
    kind: fc.constantFrom(...EMPLOYMENT_KINDS),
    from: dayNumber(),
    length: fc.integer({ min: 0, max: 3000 }),
    ongoing: fc.boolean(),
    region,
  })
  .map((e) => ({
    kind: e.kind,
    from: fromDay(e.from),
    to: e.ongoing ? null : fromDay(Math.min(e.from + e.length, LAST_DAY)),
    region: e.region,
  }))

const housing = fc.option(
  fc.record({
    kind: fc.constantFrom(...HOUSING_KINDS),
    region: fc.option(fc.constantFrom(...REGIONS, '330212001'), { nil: null }),
    owner: fc.constantFrom('self' as const, 'spouse' as const, null),
  }),
  { nil: null },
)

const skill = fc.oneof(
  fc.record({ kind: fc.constant('skill_level' as const), level: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('title' as const), grade: fc.constantFrom(...TITLE_GRADES) }),
  fc.record({ kind: fc.constant('special_ability' as const) }),
)

const cityItems = fc.record({
  shortageOccupation: fc.boolean(),
  yearlyTaxYuan: fc.oneof(
    fc.integer({ min: 0, max: 400_000 }),
    fc.integer({ min: 0, max: 40_000_000 }).map((c) => c / 100),
  ),
  insuredEmployeesHired: fc.integer({ min: 0, max: 40 }),
  inventionPatents: fc.integer({ min: 0, max: 6 }),
  utilityPatents: fc.integer({ min: 0, max: 10 }),
  honours: fc.array(fc.constantFrom(...HONOUR_LEVELS), { maxLength: 3 }),
  publicWelfareHours: fc.oneof(
    fc.integer({ min: 0, max: 400 }),
    fc.integer({ min: 0, max: 40_000 }).map((c) => c / 100),
  ),
  bloodDonations: fc.integer({ min: 0, max: 8 }),
  organDonation: fc.constantFrom(...ORGAN_DONATION),
})

const record = fc.record({
  kind: fc.constantFrom(...RECORD_KINDS),
  date: date(toDay('2015-01-01'), LAST_DAY),
})

/** An ID number for `birthDate` (YYYY-MM-DD), issued in Yinzhou, with a correct check character. */
export function idNumberFor(birthDate: string, sequence: number): string {
  const first17 = `330212${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`
  return first17 + idCheckChar(first17)
}

/** Applicant input as a caller would send it (every part valid), before schema defaults. */
export const applicantInput: fc.Arbitrary<ApplicantInput> = fc
  .record({
    birthDate: date(),
    id: fc.option(fc.integer({ min: 0, max: 999 }), { nil: null }),
    education: fc.constantFrom(...EDUCATION_LEVELS),
    skills: fc.array(skill, { maxLength: 3 }),
    socialInsurance: fc.array(insurancePeriod, { maxLength: 5 }),
    residence,
    employment: fc.array(employment, { maxLength: 4 }),
    housing,
    hukou: fc.option(region, { nil: null }),
    cityItems,
    records: fc.oneof(
      { weight: 3, arbitrary: fc.constant<{ kind: (typeof RECORD_KINDS)[number]; date: string }[]>([]) },
      { weight: 1, arbitrary: fc.array(record, { minLength: 1, maxLength: 3 }) },
    ),
  })
  .map(({ id, ...a }) => (id === null ? a : { ...a, idNumber: idNumberFor(a.birthDate, id) }))

/** A parsed applicant (defaults filled in), as the engine receives it. */
export const applicant: fc.Arbitrary<Applicant> = applicantInput.map((a) => ApplicantSchema.parse(a))
