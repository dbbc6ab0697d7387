// Every result shape's reasons and value labels read as Chinese sentences: no raw enum value, `= true` or null text.
import t from 'tap'
import { EXAMPLE_APPLICANT } from '../../schema/api.ts'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { HouseholdSchema } from '../../schema/household.ts'
import { ENUM_LABELS } from '../../schema/labels.ts'
import type { AdmissionResult, PointsResult, SettlementResult } from '../../schema/result.ts'
import { type AllocationApplication, allocate } from '../../scoring/allocation.ts'
import { formatFact, rawFact } from '../../scoring/conditions.ts'
import { HOUSEHOLD_FACTS, PERSON_FACTS } from '../../scoring/facts.ts'
import { TableRegistry } from '../../scoring/registry.ts'
import { evaluateAdmission, evaluatePermit, evaluateSettlement } from '../../scoring/schemes.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'
import { goldenCase } from '../golden/cases.ts'
import { goldenTargets } from '../golden/golden-file.ts'

/** Every enum value of the request and result schemas that is a word (1-letter codes like V/P are no words). */
const ENUM_TOKENS = new Set(
  Object.entries(ENUM_LABELS)
    .filter(([name]) => name !== 'errorCode')
    .flatMap(([, m]) => Object.keys(m))
    .filter((v) => /^[a-z][a-z_-]+$/.test(v) || /^[A-Z][0-9]$/.test(v)),
)
// words that are never right in a Chinese sentence, whatever enum they come from
for (const w of ['true', 'false', 'null', 'undefined', 'NaN']) ENUM_TOKENS.add(w)

/**
 * What is wrong with one Chinese text a caller reads, or []. ASCII runs are cut into tokens at
 * anything but letters, digits, `_`, `.` and `-`, so a table id (ningbo-points-2022) or a field
 * path (districtItems.x) is one token and not mistaken for the enum value inside it.
 */
export function languageProblems(text: string): string[] {
  const out: string[] = []
  // a bare number (a district count) is a fine label; words must be Chinese
  if (!/[\u4e00-\u9fff]/.test(text) && /[A-Za-z]/.test(text)) out.push('no Chinese at all')
  if (/=\s*(true|false)\b/.test(text)) out.push('`= true`/`= false`')
  if (/（需 [≥>≤<=≠]|（需 属于/.test(text)) out.push('the old "（需 …）" form')
  for (const token of text.split(/[^A-Za-z0-9_.-]+/))
    if (ENUM_TOKENS.has(token)) out.push(`raw token "${token}"`)
  return out
}

/** Walks a result: every `reason`, `detail`, `pointsSettlementReason` and item `value.label` goes through the checker. */
function check(result: unknown, where: string, found: string[]): void {
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`)
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const p = `${path}.${k}`
        if (
          (k === 'reason' || k === 'detail' || k === 'pointsSettlementReason' || k === 'label') &&
          typeof x === 'string'
        ) {
          // a row's own label is the table's wording; a value's label is ours and is checked like a reason
          if (k === 'label' && !path.endsWith('.value')) continue
          for (const problem of languageProblems(x)) found.push(`${where}${p}: ${problem}: ${x}`)
        } else walk(x, p)
      }
    }
  }
  walk(result, '')
}

t.test('the checker itself fails on what issue 15 found', async (t) => {
  t.same(languageProblems('住房在宁波市 是（需 = true）✓'), [
    '`= true`/`= false`',
    'the old "（需 …）" form',
    'raw token "true"',
  ])
  t.same(languageProblems('学历 junior_college（需 = junior_college）'), [
    'the old "（需 …）" form',
    'raw token "junior_college"',
    'raw token "junior_college"',
  ])
  t.same(languageProblems('毕业学历 null'), ['raw token "null"'])
  t.same(languageProblems('none'), ['no Chinese at all', 'raw token "none"'])
  t.same(
    languageProblems('积分落户门槛按积分表 ningbo-points-2022 计分'),
    [],
    'a table id is not an enum value',
  )
  t.same(languageProblems('未提供毕业信息（graduation）'), [], 'a missing field is named by its path')
})

const registry = new TableRegistry(loadShippedTables())
const targets = goldenTargets()
const CASES = 4000

t.test(
  `${CASES} seeded applicants across every shipped table: every reason and value label reads as Chinese`,
  async (t) => {
    const found: string[] = []
    const shapes = new Map<string, number>()
    const seen = (shape: string) => shapes.set(shape, (shapes.get(shape) ?? 0) + 1)
    for (let i = 0; i < CASES; i++) {
      const c = goldenCase(i, targets)
      const ctx = { asOf: c.asOf, jurisdiction: c.jurisdiction, dates: c.dates }
      const table = registry.find(c.scheme, c.jurisdiction, c.asOf)
      const pointsTable = registry.inForce('points', c.jurisdiction, c.asOf)
      const pointsOf = (a: ReturnType<typeof ApplicantSchema.parse>): PointsResult | null =>
        pointsTable === null ? null : pointsTable.evaluatePoints(a, ctx)
      let result: unknown
      try {
        if (c.scheme === 'points') result = table.evaluatePoints(ApplicantSchema.parse(c.applicant), ctx)
        else if (c.scheme === 'residence-permit')
          result = evaluatePermit(table, ApplicantSchema.parse(c.applicant), ctx)
        else if (c.scheme === 'settlement') {
          const a = ApplicantSchema.parse(c.applicant)
          const s: SettlementResult = evaluateSettlement(table, a, ctx, { points: pointsOf(a) })
          result = s
          seen(s.pointsSettlement === null ? 'settlement without points settlement' : 'points settlement')
          for (const r of s.routes) seen(`settlement route ${r.id} ${r.passed ? 'passed' : 'failed'}`)
          if (s.pointsSettlement === null && !s.pointsSettlementReason)
            found.push(`case ${i}: pointsSettlement is null and not explained`)
        } else {
          const r: AdmissionResult = evaluateAdmission(
            table,
            HouseholdSchema.parse(c.household),
            ctx,
            pointsOf,
          )
          result = r
          seen(`admission ${r.eligible ? 'eligible' : 'not eligible'}`)
        }
      } catch {
        // an engine error (a date the table needs) has no reasons to read
        continue
      }
      seen(c.scheme)
      check(JSON.parse(JSON.stringify(result)), `case ${i} ${c.scheme}`, found)
    }
    t.comment([...shapes].map(([k, n]) => `${k}: ${n}`).join('; '))
    t.same(found.slice(0, 12), [], `${found.length} texts are not Chinese sentences`)
    // every result shape was seen, and failed routes as well as passed ones
    for (const shape of [
      'points',
      'residence-permit',
      'settlement',
      'admission',
      'points settlement',
      'settlement without points settlement',
    ])
      t.ok(shapes.get(shape), `${shape} results were checked`)
    t.ok(
      [...shapes.keys()].some((k) => k.endsWith(' failed')),
      'settlement routes that fail were checked',
    )
  },
)

t.test(
  'the graduates route names the missing graduation; booleans read 是/否; enums read their labels',
  async (t) => {
    // the README applicant: a 大专 holder who sent no `graduation` object
    const a = ApplicantSchema.parse({ ...EXAMPLE_APPLICANT, graduation: null })
    const ctx = { asOf: '2026-04-30', jurisdiction: '330212' }
    const table = registry.find('settlement', '330212', '2026-04-30')
    const s = evaluateSettlement(table, a, ctx, { points: null })
    const graduates = s.routes.find((r) => r.id === 'graduates')
    t.ok(graduates, 'the table has a graduates route')
    t.equal(graduates?.passed, false)
    t.match(graduates?.reason, /未提供毕业信息（graduation）/, 'the missing object is named, not 毕业学历 无')
    t.notMatch(graduates?.reason, /毕业学历 无/)
    const p = registry.find('points', '330212', '2026-04-30').evaluatePoints(a, ctx)
    // a category item: the enum value as sent, and the table's Chinese wording of its category
    const housing = p.items.find((i) => i.id === 'housing')
    t.same(housing?.value, { raw: 'registered_rental', label: '单位宿舍、公共租赁住房或登记备案的租赁住房' })
    // a tiers item: the tier matched (derived), in the table's words; the detail names the level by its label
    const education = p.items.find((i) => i.id === 'education')
    t.same(education?.value, { raw: '大学专科', label: '大学专科' })
    t.match(education?.detail, /学历：大专（要求为大专，符合）/)
    // a per-unit item: the months, with their unit; a binary item: 是
    t.same(p.items.find((i) => i.id === 'residence')?.value, { raw: 86, label: '86 个月' })
    t.same(p.items.find((i) => i.id === 'employment')?.value, { raw: true, label: '是' })
    const permit = evaluatePermit(registry.find('residence-permit', '330212', '2026-04-30'), a, ctx)
    const texts = [...permit.gates.map((g) => g.reason), ...permit.entitlements.map((e) => e.reason)].join(
      '\n',
    )
    t.match(texts, /：是（要求为是，符合）/, 'a boolean condition reads 是, without = true')
    t.notMatch(texts, /= ?true|✓|✗/)
  },
)

t.test('rounds results: the failed gate each refused application carries reads as Chinese', async (t) => {
  // admission cases of the seeded set, allocated as one round per table as the round service does
  const byTable = new Map<string, AllocationApplication[]>()
  for (let i = 0; i < CASES; i++) {
    const c = goldenCase(i, targets)
    if (c.scheme !== 'admission') continue
    const ctx = { asOf: c.asOf, jurisdiction: c.jurisdiction, dates: c.dates }
    const table = registry.find('admission', c.jurisdiction, c.asOf)
    const pointsTable = registry.inForce('points', c.jurisdiction, c.asOf)
    let r: AdmissionResult
    try {
      r = evaluateAdmission(table, HouseholdSchema.parse(c.household), ctx, (a) =>
        pointsTable === null ? null : pointsTable.evaluatePoints(a, ctx),
      )
    } catch {
      continue
    }
    const failed = r.gates.find((g) => !g.passed)
    const apps = byTable.get(table.ref.id) ?? []
    apps.push({
      ref: `case-${i}`,
      eligible: r.eligible,
      failedGate:
        r.eligible || failed === undefined
          ? null
          : { id: failed.id, label: failed.label, reason: failed.reason },
      tier: r.priorityTier?.rank ?? null,
      points: r.points === null ? null : Math.round(r.points * 10_000),
      insuranceMonths: r.insuranceMonths,
      residenceMonths: r.residenceMonths,
      appliedAt: null,
      preferences: ['a', 'b'],
    })
    byTable.set(table.ref.id, apps)
  }
  const found: string[] = []
  let refused = 0
  for (const [id, apps] of byTable) {
    const result = allocate(
      {
        units: [
          { id: 'a', name: '甲小学', seats: 3 },
          { id: 'b', name: '乙小学', seats: 2 },
        ],
        cutoffScope: 'school',
        tieBreak: ['points'],
        lotterySeed: '',
      },
      apps,
    )
    for (const a of result.applications) if (a.gate !== null) refused++
    check(JSON.parse(JSON.stringify(result)), `round of ${id}`, found)
  }
  t.ok(refused > 0, `${refused} applications refused by a gate were checked`)
  t.same(found.slice(0, 12), [], `${found.length} texts are not Chinese sentences`)
})

t.test(
  'every fact renders in Chinese: each enum value by its label, an unknown one named as missing',
  async (t) => {
    const found: string[] = []
    for (const def of [...PERSON_FACTS, ...HOUSEHOLD_FACTS]) {
      const shown = [formatFact(def, Number.NaN)]
      if (def.type === 'enum')
        for (let i = 0; i < (def.values ?? []).length; i++) shown.push(formatFact(def, i))
      else if (def.type === 'boolean') shown.push(formatFact(def, 0), formatFact(def, 1))
      else shown.push(formatFact(def, 12))
      for (const s of shown) for (const p of languageProblems(s)) found.push(`${def.name}: ${p}: ${s}`)
      t.equal(rawFact(def, Number.NaN), null, `${def.name}: unknown is null`)
    }
    t.same(found, [])
    const byName = (n: string) => [...PERSON_FACTS, ...HOUSEHOLD_FACTS].find((d) => d.name === n)!
    t.equal(formatFact(byName('graduation.level'), Number.NaN), '未提供毕业信息（graduation）')
    t.equal(formatFact(byName('insurance.ningbo.months'), 30), '30 个月')
    t.equal(formatFact(byName('city.organDonation'), 2), '已实施捐献')
    t.equal(rawFact(byName('city.organDonation'), 2), 'donated')
    t.equal(rawFact(byName('housing.inNingbo'), 1), true)
    // a table's own district fact: named with the field the caller leaves out
    t.equal(
      formatFact({ name: 'district.volunteer', label: '区级志愿服务', type: 'boolean' }, Number.NaN),
      '未提供区级志愿服务（districtItems.volunteer）',
    )
  },
)
