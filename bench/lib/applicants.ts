// Deterministic, varied, realistic applicants in the caller vocabulary, for benchmarks (seeded; no Math.random).
import type { ApplicantInput } from '../../schema/applicant.ts'

/** mulberry32: a small, fast, seeded PRNG giving floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const MS_PER_DAY = 86_400_000
const iso = (day: number): string => new Date(day * MS_PER_DAY).toISOString().slice(0, 10)
const dayOf = (s: string): number => Date.parse(`${s}T00:00:00Z`) / MS_PER_DAY
const monthStr = (m: number): string => `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`
const monthOf = (s: string): number => Number(s.slice(0, 4)) * 12 + Number(s.slice(5, 7)) - 1
/** Same day `n` years later, 29 Feb clamped to 28 Feb. */
function addYears(day: number, n: number): number {
  const d = new Date(day * MS_PER_DAY)
  const y = d.getUTCFullYear() + n
  const m = d.getUTCMonth()
  const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate()
  return Date.UTC(y, m, Math.min(d.getUTCDate(), last)) / MS_PER_DAY
}

const NINGBO_DISTRICTS = [
  '330203',
  '330205',
  '330206',
  '330211',
  '330212',
  '330213',
  '330225',
  '330226',
  '330281',
  '330282',
]
const ZHEJIANG_OTHER = ['330106', '330108', '330302', '330402', '330602', '331002']
const ELSEWHERE = ['310104', '320505', '340104', '410105', '510107', '430102', '360102']
const EDUCATION = [
  ['none', 2],
  ['primary', 4],
  ['junior', 18],
  ['senior', 16],
  ['vocational_secondary', 10],
  ['junior_college', 20],
  ['bachelor', 22],
  ['master', 6],
  ['doctorate', 2],
] as const
const HOUSING = [
  ['none', 8],
  ['dormitory', 15],
  ['public_rental', 7],
  ['registered_rental', 40],
  ['owned', 30],
] as const

/**
 * `n` applicants as callers would send them (before zod parsing), all dated on or before `asOf`.
 * The mix covers every rule: ages 15–68, all education levels, skills and titles, insurance in and
 * outside Zhejiang with overlaps and back-payments, late permit endorsements, continuous and broken
 * employment, every housing kind, tax at and around the tier thresholds, deductions and vetoes.
 */
export function generateApplicants(n: number, seed: number, asOf: string): ApplicantInput[] {
  const rnd = mulberry32(seed)
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1))
  const chance = (p: number): boolean => rnd() < p
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]
  const weighted = <T>(xs: readonly (readonly [T, number])[]): T => {
    const total = xs.reduce((s, x) => s + x[1], 0)
    let r = rnd() * total
    for (const [v, w] of xs) {
      r -= w
      if (r < 0) return v
    }
    return xs[xs.length - 1][0]
  }
  const asOfDay = dayOf(asOf)
  const asOfMonth = monthOf(asOf)
  const region = (pNingbo: number, pZhejiang: number): string =>
    chance(pNingbo) ? pick(NINGBO_DISTRICTS) : chance(pZhejiang) ? pick(ZHEJIANG_OTHER) : pick(ELSEWHERE)
  const dayBetween = (from: string, toDay: number): number => int(dayOf(from), toDay)

  const out: ApplicantInput[] = []
  for (let k = 0; k < n; k++) {
    const birth = dayBetween('1957-06-01', dayOf('2010-12-31'))
    const adultFrom = Math.max(addYears(birth, 16), dayOf('2005-01-01'))
    const skills: ApplicantInput['skills'] = []
    for (
      let s = weighted([
        [0, 50],
        [1, 35],
        [2, 10],
        [3, 5],
      ] as const);
      s > 0;
      s--
    ) {
      const kind = weighted([
        ['skill_level', 55],
        ['title', 35],
        ['special_ability', 10],
      ] as const)
      if (kind === 'skill_level') skills.push({ kind, level: int(1, 5) })
      else if (kind === 'title')
        skills.push({ kind, grade: pick(['junior', 'intermediate', 'deputy_senior', 'senior'] as const) })
      else skills.push({ kind })
    }

    // social insurance: several periods, some overlapping, some outside Zhejiang, some back-paid
    const socialInsurance: NonNullable<ApplicantInput['socialInsurance']> = []
    const firstMonth = Math.max(monthOf(iso(adultFrom)), monthOf('2005-01'))
    if (firstMonth <= asOfMonth) {
      for (
        let s = weighted([
          [0, 15],
          [1, 35],
          [2, 30],
          [3, 15],
          [4, 5],
        ] as const);
        s > 0;
        s--
      ) {
        const from = int(firstMonth, asOfMonth)
        const to = from + int(0, 150)
        socialInsurance.push({
          from: monthStr(from),
          to: to >= asOfMonth || chance(0.15) ? null : monthStr(to),
          region: region(0.6, 0.5),
          backPaid: chance(0.1),
        })
      }
    }

    // residence registration and permit, with yearly endorsements that are sometimes late or stop
    let residence: ApplicantInput['residence'] = null
    if (chance(0.88) && adultFrom <= asOfDay) {
      const since = dayBetween(iso(Math.max(adultFrom, dayOf('2008-01-01'))), asOfDay)
      let permit: { issuedOn: string; endorsements: string[] } | null = null
      if (chance(0.8)) {
        const issued = Math.min(since + int(0, 240), asOfDay)
        const endorsements: string[] = []
        let anniversary = addYears(issued, 1)
        for (;;) {
          if (chance(0.06)) break // stopped endorsing: the permit lapses
          const late = chance(0.12)
          const e = late ? anniversary + int(1, 200) : anniversary - int(0, 90)
          if (e > asOfDay) break
          endorsements.push(iso(e))
          anniversary = late ? addYears(e, 1) : addYears(anniversary, 1)
        }
        permit = { issuedOn: iso(issued), endorsements }
      }
      residence = { registeredSince: iso(since), region: region(0.85, 0.6), permit }
    }

    // employment: chains of contracts, often back to back (continuous), sometimes with gaps
    const employment: NonNullable<ApplicantInput['employment']> = []
    if (chance(0.85) && adultFrom <= asOfDay) {
      let start = dayBetween(iso(Math.max(adultFrom, dayOf('2010-01-01'))), asOfDay)
      for (let s = int(1, 4); s > 0 && start <= asOfDay; s--) {
        const end = start + int(20, 1500)
        const ongoing = end >= asOfDay || (s === 1 && chance(0.5))
        employment.push({
          kind: weighted([
            ['labour_contract', 80],
            ['business_licence', 15],
            ['land_contract', 5],
          ] as const),
          from: iso(start),
          to: ongoing ? null : iso(end),
          region: region(0.8, 0.5),
        })
        if (ongoing) break
        start = chance(0.6) ? end + 1 : end + int(2, 400)
      }
    }

    const housingKind = chance(0.9) ? weighted(HOUSING) : null
    const housing: ApplicantInput['housing'] =
      housingKind === null
        ? null
        : {
            kind: housingKind,
            region: housingKind === 'none' ? null : region(0.85, 0.5),
            owner:
              housingKind === 'owned'
                ? weighted([
                    ['self', 60],
                    ['spouse', 30],
                    [null, 10],
                  ] as const)
                : null,
          }

    const honours: ('district' | 'city' | 'provincial' | 'national')[] = []
    if (chance(0.15)) {
      for (let s = int(1, 3); s > 0; s--)
        honours.push(
          weighted([
            ['district', 50],
            ['city', 30],
            ['provincial', 15],
            ['national', 5],
          ] as const),
        )
    }
    const tax = chance(0.6)
      ? 0
      : chance(0.15)
        ? pick([9_999, 10_000, 49_999.5, 50_000, 199_999, 200_000])
        : Math.round(Math.exp(int(700, 1300) / 100))
    const records: NonNullable<ApplicantInput['records']> = []
    if (chance(0.08)) {
      for (let s = int(1, 2); s > 0; s--) {
        records.push({
          kind: weighted([
            ['dishonesty', 70],
            ['crime', 25],
            ['veto', 5],
          ] as const),
          date: iso(dayBetween('2018-01-01', asOfDay)),
        })
      }
    }

    out.push({
      birthDate: iso(birth),
      education: weighted(EDUCATION),
      skills,
      socialInsurance,
      residence,
      employment,
      housing,
      hukou: region(0.1, 0.3),
      cityItems: {
        shortageOccupation: chance(0.15),
        yearlyTaxYuan: tax,
        insuredEmployeesHired: chance(0.85) ? 0 : int(1, 30),
        inventionPatents: chance(0.92) ? 0 : int(1, 4),
        utilityPatents: chance(0.88) ? 0 : int(1, 10),
        honours,
        publicWelfareHours: chance(0.6) ? 0 : int(1, 800) / 2,
        bloodDonations: chance(0.75) ? 0 : int(1, 8),
        organDonation: weighted([
          ['none', 90],
          ['registered', 8],
          ['donated', 2],
        ] as const),
      },
      records,
    })
  }
  return out
}
