// Advice: hand-computed gains on the shipped Yinzhou table, and the rule that applying a change adds exactly its gain.
import fc from 'fast-check'
import t from 'tap'
import { EXAMPLE_APPLICANT } from '../../schema/api.ts'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { advise, applyChange } from '../../scoring/advice.ts'
import { compileTable } from '../../scoring/compile.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'
import { applicant as anyApplicant, asOf as anyAsOf } from './arbitraries.ts'

const tables = loadShippedTables()
const yinzhou = compileTable(tables.find((x) => x.id === 'yinzhou-points-2022')!)
const beilun2021 = compileTable(tables.find((x) => x.id === 'beilun-points-2021')!)
const xiangshan = compileTable(tables.find((x) => x.id === 'xiangshan-points-2022')!)
const ctx = { asOf: '2026-04-30', jurisdiction: '330212' }
const readme = ApplicantSchema.parse(EXAMPLE_APPLICANT)
const scaled = (x: number) => Math.round(x * 10_000)

t.test('the README applicant: every line an applicant can act on, highest gain first', async (t) => {
  /*
   * 107.5 as of 2026-04-30 (test/scoring/projection.test.ts): provincial 87.5 of 100, city 20 of 150.
   *   shortage occupation: 10 (P)                                    → +10
   *   tax 10,000 元: 5 (P); an invention patent 5 (P); a district honour 5 (P);
   *   registering as a donor 5 (P)                                   → +5 each
   *   education 大专 8 → 本科 10; skill 三级 8 → 二级 10 (V)            → +2 each (provincial 91.5 < 100)
   *   a utility patent 2 (P); one blood donation 2 (P)               → +2 each
   *   one insured employee 1 (P); 20 volunteer hours 1 (P)           → +1 each
   *   one more month of residence: 87 × 0.25 = 21.75                 → +0.25
   * No line for: employment (already 10), housing (a registered rental already), insurance (at its cap).
   * Ties keep the order of the list: education, skill, employment, housing, city items, accrual.
   */
  const advice = advise(yinzhou, readme, ctx)
  t.same(
    advice.map((a) => [a.kind, a.item, a.gain, a.provisional]),
    [
      ['city', 'shortage_occupation', 10, true],
      ['city', 'investment_tax', 5, true],
      ['city', 'inventions', 5, true],
      ['city', 'honours', 5, true],
      ['city', 'organ_donation', 5, true],
      ['education', 'education', 2, false],
      ['skill', 'vocational_skills', 2, false],
      ['city', 'inventions', 2, true],
      ['city', 'blood_donation', 2, true],
      ['city', 'job_creation', 1, true],
      ['city', 'public_welfare', 1, true],
      ['accrual', 'residence', 0.25, false],
    ],
  )
  const education = advice.find((a) => a.kind === 'education')!
  t.same(
    { action: education.action, change: education.change, points: education.points, cap: education.cap },
    { action: '学历提升至大学本科', change: { set: 'education', value: 'bachelor' }, points: 8, cap: 10 },
  )
  // the citation in words: title（document number）, from the table's references
  t.equal(education.ref, '关于实施流动人口量化积分管理的通知（甬政办发〔2022〕10号）')
  const residence = advice.find((a) => a.kind === 'accrual')!
  t.same(
    [residence.action, residence.fact, residence.more, residence.change],
    [
      '在浙江省内再居住满 1 个月',
      'residence.months',
      1,
      { set: 'residence.registeredSince', value: '2019-01-20' },
    ],
  )
  t.equal(advice.find((a) => a.item === 'public_welfare')?.more, 20, '20 hours make a point')
  t.equal(
    advice.find((a) => a.item === 'investment_tax')?.action,
    '在甬年纳税额达到 10000 元',
    'the first tier',
  )
})

t.test('employment reaching 12 months and registering the rental contract', async (t) => {
  /*
   * The README applicant with a job since 2025-11-01 (5 full months on 2026-04-30: no 就业 points) and no
   * housing on record: 107.5 − 10 − 10 = 87.5. A 12-month run adds 10 (V); a registered rental 10 (V).
   */
  const a = ApplicantSchema.parse({
    ...EXAMPLE_APPLICANT,
    employment: [{ kind: 'labour_contract', from: '2025-11-01', to: null, region: '330212' }],
    housing: null,
  })
  t.equal(yinzhou.evaluatePoints(a, ctx).total, 87.5)
  const advice = advise(yinzhou, a, ctx)
  const employment = advice.find((x) => x.kind === 'employment')!
  t.same([employment.item, employment.gain, employment.provisional], ['employment', 10, false])
  t.match(employment.action, '连续就业满 12 个月')
  const housing = advice.find((x) => x.kind === 'housing')!
  t.same([housing.item, housing.gain, housing.provisional], ['housing', 10, false])
  t.same(housing.change, {
    set: 'housing',
    value: { kind: 'registered_rental', region: '330212', owner: null },
  })
})

t.test('the district items the table declares', async (t) => {
  /*
   * The README applicant in Xiangshan (330225), district layer 0 of 50: each item is P.
   *   local housing 10, special post 10; local honours 5 each (cap 10); party member 5; staying over
   *   Spring Festival 5; one local donation 2 each (cap 10). With 1 honour already (5): one more → +5.
   */
  const a = ApplicantSchema.parse({ ...EXAMPLE_APPLICANT, districtItems: { local_honours: 1 } })
  const c = { asOf: '2026-04-30', jurisdiction: '330225' }
  const advice = advise(xiangshan, a, c).filter((x) => x.kind === 'district')
  t.same(
    advice.map((x) => [x.item, x.change, x.gain, x.provisional]),
    [
      ['local_housing', { set: 'districtItems.local_housing', value: true }, 10, true],
      ['special_post', { set: 'districtItems.special_post', value: true }, 10, true],
      ['local_honours', { set: 'districtItems.local_honours', value: 2 }, 5, true],
      ['mobile_party_member', { set: 'districtItems.mobile_party_member', value: true }, 5, true],
      ['spring_festival_stay', { set: 'districtItems.spring_festival_stay', value: true }, 5, true],
      ['local_donation', { set: 'districtItems.local_donation', value: 1 }, 2, true],
    ],
  )
  t.same(
    [advice[2].action, advice[2].fact, advice[2].more],
    ['象山县级表彰奖励次数再增加 1', 'district.local_honours', 1],
  )
})

t.test('the next tier is the first one that scores more', async (t) => {
  // 初中 scores 5 (P) like 高中 and 中职: the next tier is 大专 (8), +3; no skill → 五级 3 points, +3
  const a = ApplicantSchema.parse({ birthDate: '1990-01-01', education: 'junior' })
  const advice = advise(yinzhou, a, ctx)
  const education = advice.find((x) => x.kind === 'education')!
  t.same([education.action, education.gain], ['学历提升至大学专科', 3])
  const skill = advice.find((x) => x.kind === 'skill')!
  t.same([skill.change.value, skill.gain], [[{ kind: 'skill_level', level: 5 }], 3])
})

t.test('the item cap trims a gain, and an item at its best tier gets no line', async (t) => {
  /*
   * Age 20 + bachelor 10 + skill 二级 10 + insurance since 2010-01 (capped 30) + residence registered
   * 2017-01-10: 2017-01-10 + 111 months = 2026-04-10 ≤ 2026-04-30, so 111 months × 0.25 = 27.75.
   * Inventions: 2 patents × 5 + 1 utility × 2 = 12 of 15: one more patent would be 17, capped at 15 → +3;
   * one more utility patent 14 → +2.
   */
  const a = ApplicantSchema.parse({
    birthDate: '1990-01-01',
    education: 'bachelor',
    skills: [{ kind: 'skill_level', level: 2 }],
    socialInsurance: [{ from: '2010-01', to: null, region: '330212' }],
    residence: { registeredSince: '2017-01-10', region: '330212', permit: null },
    cityItems: { inventionPatents: 2, utilityPatents: 1 },
  })
  const r = yinzhou.evaluatePoints(a, ctx)
  t.equal(r.layers[0].points, 97.75)
  const advice = advise(yinzhou, a, ctx, r)
  t.notOk(
    advice.some((x) => x.kind === 'education' || x.kind === 'skill'),
    'both at their best tier',
  )
  t.same(
    advice.filter((x) => x.item === 'inventions').map((x) => [x.fact, x.gain, x.points, x.cap]),
    [
      ['city.inventionPatents', 3, 12, 15],
      ['city.utilityPatents', 2, 12, 15],
    ],
  )
  t.equal(advice.find((x) => x.kind === 'accrual')?.gain, 0.25, '112 months: 28')
})

t.test('property: applying an advised change raises the score by exactly the stated gain', async (t) => {
  const j = fc.constantFrom('330212', '330203', '330200')
  let lines = 0
  fc.assert(
    fc.property(anyApplicant, anyAsOf, j, fc.constantFrom(0, 1, 2), (a, at, jurisdiction, which) => {
      // the 2022 Yinzhou table, the legacy Beilun 2021 one (other items, step bonuses), Xiangshan's district items
      const table = [yinzhou, beilun2021, xiangshan][which]
      const c = [
        { asOf: at, jurisdiction },
        { asOf: '2021-06-30', jurisdiction: '330206' },
        { asOf: at, jurisdiction: '330225' },
      ][which]
      const base = table.evaluatePoints(a, c)
      const advice = advise(table, a, c, base)
      for (let i = 1; i < advice.length; i++)
        if (advice[i].gain > advice[i - 1].gain) throw new Error('not sorted by gain')
      for (const entry of advice) {
        lines++
        if (!(entry.gain > 0)) throw new Error(`${entry.action}: gain ${entry.gain}`)
        // as a client would: the change through JSON, the changed facts through the contract
        const change = JSON.parse(JSON.stringify(entry.change))
        const changed = ApplicantSchema.safeParse(applyChange(a, change))
        if (!changed.success) throw new Error(`${entry.action}: invalid facts ${changed.error.message}`)
        const after = table.evaluatePoints(changed.data, c).total
        if (scaled(after) - scaled(base.total) !== scaled(entry.gain))
          throw new Error(`${entry.action}: ${base.total} → ${after}, advised +${entry.gain}`)
      }
    }),
    { numRuns: 80 },
  )
  t.ok(lines > 0, `${lines} advice lines checked`)
})

t.test('pricing copies only the path a change touches and leaves the applicant as it was', async (t) => {
  // deep-frozen: a candidate that wrote into the applicant's own objects would throw here
  const freeze = <T>(x: T): T => {
    if (x !== null && typeof x === 'object') for (const v of Object.values(x)) freeze(v)
    return Object.freeze(x)
  }
  const frozen = freeze(structuredClone(readme))
  const before = JSON.stringify(frozen)
  // no deep copy of the applicant per candidate (~20 a preview were most of its advice under load)
  const clone = globalThis.structuredClone
  let clones = 0
  globalThis.structuredClone = ((v: unknown, o?: Parameters<typeof structuredClone>[1]) => {
    clones++
    return clone(v, o)
  }) as typeof structuredClone
  let advice: ReturnType<typeof advise>
  try {
    advice = advise(yinzhou, frozen, ctx)
  } finally {
    globalThis.structuredClone = clone
  }
  t.equal(clones, 0, 'no structuredClone while pricing')
  t.equal(JSON.stringify(frozen), before)
  t.same(advice, advise(yinzhou, readme, ctx), 'the same advice as for the unfrozen applicant')
  t.equal(advice.length, 12)
})
