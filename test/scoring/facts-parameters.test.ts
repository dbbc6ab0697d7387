// Policy parameters as table data: the edition-1 values published tables were computed with, and a correction that changes one (P1 cut-off, urban districts, YRD) changes results.
import t from 'tap'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { HouseholdSchema } from '../../schema/household.ts'
import { type Table, TableSourceSchema } from '../../schema/table.ts'
import { toDay } from '../../scoring/calendar.ts'
import { compileTable } from '../../scoring/compile.ts'
import { EDITION_1_PARAMETERS, parametersOf } from '../../scoring/facts/parameters.ts'
import {
  deriveHouseholdFacts,
  derivePersonFacts,
  HOUSEHOLD_INDEX,
  PERSON_INDEX,
} from '../../scoring/facts.ts'
import { contentSha256 } from '../../scoring/hash.ts'
import { pinnedOf, resolveTable, successorsFor } from '../../scoring/resolve.ts'
import { evaluateAdmission } from '../../scoring/schemes.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'

const shipped = loadShippedTables()
const find = (pin: string): Table | undefined => shipped.find((x) => pinnedOf(x) === pin)

t.test('the edition-1 values are those of policy.md, and never change', async (t) => {
  // Every published table was computed with these values and none of them has a `parameters:`
  // block: changing one here would change the replay of stored records. A new value goes into a
  // new table version's `parameters:` instead (below).
  t.same(EDITION_1_PARAMETERS, {
    p1AgeCutoff: { month: 8, day: 31 }, // policy.md §5: 6 by 31 August of the intake year
    urbanDistricts: ['330203', '330205', '330206', '330211', '330212', '330213'], // §4: 海曙 江北 北仑 镇海 鄞州 奉化
    yrdProvinces: ['31', '32', '33', '34'], // §4: Shanghai, Jiangsu, Zhejiang, Anhui
  })
  t.ok(Object.isFrozen(EDITION_1_PARAMETERS) && Object.isFrozen(EDITION_1_PARAMETERS.urbanDistricts))
  for (const table of shipped) t.equal(parametersOf(table), EDITION_1_PARAMETERS, pinnedOf(table))
})

/** yinzhou-admission-2023@1 corrected: the same table, with a P1 cut-off of 30 September. */
function correctedAdmission(): Table {
  const v1 = find('yinzhou-admission-2023@1')!
  const source = TableSourceSchema.parse({
    id: v1.id,
    version: 2,
    scheme: v1.scheme,
    jurisdiction: v1.jurisdiction,
    title: v1.title,
    validFrom: '2026-03-01',
    ref: v1.ref,
    supersedes: 'yinzhou-admission-2023@1',
    patch: {},
    parameters: { p1AgeCutoff: { month: 9, day: 30, ref: 'yinzhou-admission-2023', provisional: true } },
  })
  return resolveTable(source, find)
}

t.test('a correction that moves the P1 cut-off changes the entry-age gate', async (t) => {
  const v1 = find('yinzhou-admission-2023@1')!
  const v2 = correctedAdmission()
  t.same(v2.parameters?.p1AgeCutoff, { month: 9, day: 30, ref: 'yinzhou-admission-2023', provisional: true })
  t.same(parametersOf(v2).p1AgeCutoff, { month: 9, day: 30 })
  // the published version is untouched: its hash is the one it was published with
  t.equal(contentSha256(find('yinzhou-admission-2023@1')!), contentSha256(v1))
  t.equal(v2.components?.[0].sha256, contentSha256(v1))

  // Intake year 2026 (the as-of year). Child born 2020-09-15:
  //   31 Aug cut-off: window 2019-09-01 … 2020-08-31 → 2020-09-15 is after it: too young
  //   30 Sep cut-off: window 2019-10-01 … 2020-09-30 → inside
  const household = HouseholdSchema.parse({
    parents: [{ birthDate: '1990-01-01' }],
    child: { birthDate: '2020-09-15', hukou: '410105', entryGrade: 'P1' },
  })
  const ctx = { asOf: '2026-05-01' }
  const entryAge = (table: Table) =>
    evaluateAdmission(compileTable(table), household, ctx, () => null).gates.find(
      (g) => g.id === 'entry_age',
    )!
  t.equal(entryAge(v1).passed, false, 'under @1 (31 August)')
  t.equal(entryAge(v2).passed, true, 'under @2 (30 September)')

  // the household fact itself, at the edges of both windows
  const p1 = (birthDate: string, params = parametersOf(v2)) =>
    deriveHouseholdFacts(
      { birthDate, hukou: null, entryGrade: 'P1' },
      [],
      toDay('2026-05-01'),
      '330212',
      params,
    )[HOUSEHOLD_INDEX.get('child.p1AgeOk')!]
  t.equal(p1('2019-09-30'), 0, '30 Sep Y−7: already 7 by the cut-off')
  t.equal(p1('2019-10-01'), 1, '1 Oct Y−7: the first day in')
  t.equal(p1('2020-09-30'), 1, '30 Sep Y−6: the last day in')
  t.equal(p1('2020-10-01'), 0)
  t.equal(p1('2019-09-01', EDITION_1_PARAMETERS), 1, 'edition 1: 1 Sep Y−7 is the first day in')
  t.equal(p1('2019-08-31', EDITION_1_PARAMETERS), 0)
})

t.test('a 29 February cut-off in a common year is the 28th', async (t) => {
  const params = { ...EDITION_1_PARAMETERS, p1AgeCutoff: { month: 2, day: 29 } }
  // intake 2026: window 2019-02-29→28 + 1 = 2019-03-01 … 2020-02-29 (a leap year: the 29th)
  const p1 = (birthDate: string) =>
    deriveHouseholdFacts(
      { birthDate, hukou: null, entryGrade: 'P1' },
      [],
      toDay('2026-05-01'),
      '330212',
      params,
    )[HOUSEHOLD_INDEX.get('child.p1AgeOk')!]
  t.equal(p1('2019-02-28'), 0)
  t.equal(p1('2019-03-01'), 1)
  t.equal(p1('2020-02-29'), 1)
  t.equal(p1('2020-03-01'), 0)
})

t.test('urban districts and YRD provinces come from the table', async (t) => {
  const a = ApplicantSchema.parse({
    birthDate: '1990-01-01',
    housing: { kind: 'owned', owner: 'self', region: '330281' }, // 余姚: a county-level city
    socialInsurance: [
      { from: '2024-01', to: '2024-12', region: '320500', backPaid: false }, // Suzhou (Jiangsu): 12 months
      { from: '2025-01', to: '2025-06', region: '360100', backPaid: false }, // Nanchang (Jiangxi): 6 months
    ],
  })
  const at = toDay('2026-04-30')
  const get = (params = EDITION_1_PARAMETERS) => {
    const f = derivePersonFacts(a, at, '330212', undefined, params)
    return {
      urban: f[PERSON_INDEX.get('housing.inNingboUrban')!],
      yrd: f[PERSON_INDEX.get('insurance.yrd.months')!],
    }
  }
  t.same(get(), { urban: 0, yrd: 12 }, 'edition 1: 余姚 is not urban; only Jiangsu is YRD')
  t.same(
    get({ ...EDITION_1_PARAMETERS, urbanDistricts: ['330281'], yrdProvinces: ['32', '36'] }),
    { urban: 1, yrd: 18 }, // 12 + 6 months once Jiangxi (36) counts
  )
})

t.test('a correction of a parameter reaches the tables built on the corrected version', async (t) => {
  const city = find('ningbo-points-2022@1')!
  const correction = resolveTable(
    TableSourceSchema.parse({
      id: city.id,
      version: 2,
      scheme: city.scheme,
      jurisdiction: city.jurisdiction,
      title: city.title,
      validFrom: '2026-06-01',
      ref: city.ref,
      supersedes: pinnedOf(city),
      patch: {},
      parameters: { urbanDistricts: { regions: ['330203', '330205'], ref: city.ref, provisional: true } },
    }),
    find,
  )
  const { successors, conflicts } = successorsFor(correction, shipped)
  t.same(conflicts, [])
  const dependents = shipped.filter((x) => x.extends === pinnedOf(city))
  t.ok(dependents.length > 0)
  t.equal(successors.length, dependents.length)
  for (const s of successors) t.same(s.parameters?.urbanDistricts?.regions, ['330203', '330205'], pinnedOf(s))
  // and the dependents as published are untouched
  for (const d of dependents) t.equal(d.parameters, undefined, pinnedOf(d))
})

t.test('a table that sets the corrected parameter itself is a conflict', async (t) => {
  const city = find('ningbo-points-2022@1')!
  const base = (version: number, extra: Record<string, unknown>): Table =>
    resolveTable(
      TableSourceSchema.parse({
        id: city.id,
        version,
        scheme: city.scheme,
        jurisdiction: city.jurisdiction,
        title: city.title,
        validFrom: '2026-06-01',
        ref: city.ref,
        supersedes: pinnedOf({ id: city.id, version: version - 1 }),
        patch: {},
        ...extra,
      }),
      (pin) => find(pin) ?? (pin === `${city.id}@2` ? v2 : undefined),
    )
  const v2: Table = base(2, {})
  const dependent = resolveTable(
    TableSourceSchema.parse({
      id: 'own-parameters',
      version: 1,
      scheme: 'points',
      jurisdiction: '330212',
      title: '自设参数',
      validFrom: '2026-06-01',
      ref: city.ref,
      extends: `${city.id}@2`,
      patch: {},
      parameters: { yrdProvinces: { prefixes: ['31', '32', '33', '34', '36'], ref: city.ref } },
    }),
    (pin) => (pin === `${city.id}@2` ? v2 : undefined),
  )
  const v3 = base(3, { parameters: { yrdProvinces: { prefixes: ['32'], ref: city.ref } } })
  const { successors, conflicts } = successorsFor(v3, [...shipped, v2, dependent])
  t.same(
    successors.map((s) => pinnedOf(s)),
    [],
  )
  t.same(conflicts, ['own-parameters@1 sets parameters.yrdProvinces itself; give it a new version by hand'])
})

t.test('a patch without parameters adds no parameters block (published hashes stay)', async (t) => {
  for (const table of shipped) t.notOk('parameters' in table, pinnedOf(table))
})

t.test(
  'a provisional parameter is named in the ruleset, and makes provisional the results that read it',
  async (t) => {
    const household = HouseholdSchema.parse({
      parents: [{ birthDate: '1990-01-01' }],
      child: { birthDate: '2020-09-15', hukou: '410105', entryGrade: 'P1' },
    })
    const ctx = { asOf: '2026-05-01' }
    const v1 = compileTable(find('yinzhou-admission-2023@1')!)
    const v2 = compileTable(correctedAdmission())
    t.equal(v1.ref.provisional, false)
    t.equal(v1.ref.provisionalFields, undefined, 'a published table’s ruleset is as it was stored')
    t.equal(v2.ref.provisional, true)
    t.same(v2.ref.provisionalFields, ['parameters.p1AgeCutoff'])
    // the admission gates read child.p1AgeOk, which the provisional cut-off decides
    t.equal(evaluateAdmission(v1, household, ctx, () => null).provisional, false)
    t.equal(evaluateAdmission(v2, household, ctx, () => null).provisional, true)

    // the reasons name each table's own cut-off: born 2020-09-15, intake year 2026, so 6 by
    // 30 September 2026 but not by 31 August 2026 (the window is 2019-09-01..2020-08-31 under
    // edition 1, 2019-10-01..2020-09-30 under the corrected table)
    const words = (r: unknown) => JSON.stringify(r)
    const v1Words = words(evaluateAdmission(v1, household, ctx, () => null))
    const v2Words = words(evaluateAdmission(v2, household, ctx, () => null))
    t.match(v1Words, '儿童在入学当年 8 月 31 日前满 6 周岁且未满 7 周岁')
    t.match(v2Words, '儿童在入学当年 9 月 30 日前满 6 周岁且未满 7 周岁')
    // (the gate's own label is the table author's words, which this corrected table did not patch)
    t.notMatch(v2Words, '8 月 31 日前满 6 周岁且未满 7 周岁', 'the fact’s words never show edition 1’s date')

    // a points table does not read housing.inNingboUrban: a provisional urban-district list is named
    // in its ruleset but leaves its results as they are
    const city = find('ningbo-points-2022@1')!
    const corrected = compileTable(
      resolveTable(
        TableSourceSchema.parse({
          id: city.id,
          version: 2,
          scheme: city.scheme,
          jurisdiction: city.jurisdiction,
          title: city.title,
          validFrom: '2026-06-01',
          ref: city.ref,
          supersedes: pinnedOf(city),
          patch: {},
          parameters: { urbanDistricts: { regions: ['330203'], ref: city.ref, provisional: true } },
        }),
        find,
      ),
    )
    t.ok(corrected.ref.provisionalFields?.includes('parameters.urbanDistricts'))
    const a = ApplicantSchema.parse({ birthDate: '1990-01-01' })
    const before = compileTable(city).evaluatePoints(a, { asOf: '2026-07-01' })
    const after = corrected.evaluatePoints(a, { asOf: '2026-07-01' })
    t.equal(after.provisional, before.provisional)
    t.equal(after.total, before.total)
  },
)
