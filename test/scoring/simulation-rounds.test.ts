// A round's simulation on the columnar path against the per-household path it replaced: the same report and placement comparison, byte for byte, on 1,500 seeded households; and chunked scoring equals one pass.
//
// Reference: per household, `points.score()` for each parent inside the admission scheme (the code the
// service ran before, kept verbatim below), then simulationReport and compareRound.
// New: SimulationService.compute on the same round (the parents in one columnar store, both tables
// scored from it in chunks).
import t from 'tap'
import { generateApplicants } from '../../bench/lib/applicants.ts'
import { skillsRaisedDraft } from '../../bench/lib/drafts.ts'
import { type Applicant, ApplicantSchema } from '../../schema/applicant.ts'
import { type Household, HouseholdSchema } from '../../schema/household.ts'
import type { SimulationInputs } from '../../schema/simulation.ts'
import type { Table } from '../../schema/table.ts'
import type { AllocationApplication, AllocationRound } from '../../scoring/allocation.ts'
import { type CompiledTable, compileTable, type EvalContext } from '../../scoring/compile.ts'
import { derivePopulation } from '../../scoring/population.ts'
import { score as scoreAdmission } from '../../scoring/schemes/admission/index.ts'
import { pointsUsed, score as scorePoints } from '../../scoring/schemes/points/index.ts'
import {
  compareRound,
  itemIdsOf,
  type SimulatedApplicant,
  type SimulatedOutcome,
  simulatedOutcome,
  simulationReport,
} from '../../scoring/simulation.ts'
import { SimulationService, scoreColumns } from '../../src/services/simulation.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'
import { bulkApplication } from '../helper.ts'

const ASOF = '2026-04-30'
const ctx: EvalContext = { asOf: ASOF, jurisdiction: '330212' }
const shipped = loadShippedTables()
const base = shipped.find((x) => x.id === 'yinzhou-points-2022')!
const inForce = compileTable(base)
const admission = compileTable(shipped.find((x) => x.id === 'yinzhou-admission-2023')!)

/** Skill tiers raised (cap 15), residence cap 30 → 20: gains and losses both. */
const raised = (table: Table): Table => skillsRaisedDraft(table, 'yinzhou-points-draft')
const draft = compileTable(raised(base))

// 1,500 households: one parent in every third, two in the others; children as the bulk tests' rows
const N = 1_500
const parents: Applicant[] = generateApplicants(2 * N, 20261130, ASOF).map((a) => ApplicantSchema.parse(a))
const units = Array.from({ length: N }, (_, i) => {
  const row = bulkApplication(i)
  const household: Household = HouseholdSchema.parse({
    ...row.household,
    parents: i % 3 === 0 ? [parents[2 * i]] : [parents[2 * i], parents[2 * i + 1]],
    preferences: i % 2 === 0 ? ['s1', 's2'] : ['s2', 's1'],
    appliedAt: `2026-05-0${1 + (i % 9)}T09:00:00+08:00`,
  })
  const input: AllocationApplication = {
    ref: row.applicationRef,
    eligible: i % 17 !== 0,
    failedGate: i % 17 !== 0 ? null : { id: 'g', label: 'g', reason: 'g' },
    tier: i % 5 === 0 ? 1 : 2,
    points: null,
    insuranceMonths: 0,
    residenceMonths: 0,
    appliedAt: household.appliedAt ?? null,
    preferences: household.preferences,
  }
  return { key: row.applicationRef, household, input }
})
const spec: AllocationRound = {
  units: [
    { id: 's1', name: '一校', seats: 400 },
    { id: 's2', name: '二校', seats: 350 },
  ],
  cutoffScope: 'school',
  tieBreak: ['points', 'insuranceMonths', 'residenceMonths', 'lottery'],
  lotterySeed: 'seed-2026',
}

/** The service's per-household scoring as it was (verbatim but for names). */
function scoreHousehold(points: CompiledTable, u: (typeof units)[number]) {
  const byParent = new Map<Applicant, SimulatedOutcome>()
  const o = scoreAdmission(admission, u.household, ctx, (p) => {
    const outcome = scorePoints(points, p, ctx)
    byParent.set(p, simulatedOutcome(points, outcome))
    return pointsUsed(points, outcome)
  })
  const best = o.scoringParent === null ? undefined : byParent.get(u.household.parents[o.scoringParent])
  const total = o.tieBreak.points
  return {
    outcome: { total: total ?? 0, eligible: o.eligible && total !== null, items: best?.items ?? {} },
    input: {
      ...u.input,
      points: total,
      insuranceMonths: o.tieBreak.insuranceMonths,
      residenceMonths: o.tieBreak.residenceMonths,
    },
  }
}

t.test(
  '1,500 seeded households: the columnar round report is the per-household one, byte for byte',
  async (t) => {
    for (const params of [
      { binWidth: 10, thresholds: [60, 100, 120], top: 10 },
      { binWidth: 3, thresholds: [], top: 10_000 },
    ]) {
      const scored: SimulatedApplicant[] = []
      const before: AllocationApplication[] = []
      const after: AllocationApplication[] = []
      for (const u of units) {
        const b = scoreHousehold(inForce, u)
        const a = scoreHousehold(draft, u)
        scored.push({ key: u.key, before: b.outcome, after: a.outcome })
        before.push(b.input)
        after.push(a.input)
      }
      const want = {
        ...simulationReport(scored, {
          ...params,
          itemsBefore: itemIdsOf(inForce),
          itemsAfter: itemIdsOf(draft),
        }),
        round: compareRound(spec, before, after),
      }
      // not trivial: totals move both ways, and placements change
      t.ok(want.gains.length > 0 && want.losses.length > 0, `${want.changed} changed`)
      t.ok(want.round.changes.length > 0, `${want.round.changes.length} placements changed`)
      const got = await SimulationService.compute(
        {
          inputs: params as SimulationInputs,
          draft,
          inForce,
          round: { admission, spec },
          units,
          ctx,
        },
        () => {},
      )
      t.equal(JSON.stringify(got), JSON.stringify(want), `byte-identical, top ${params.top}`)
    }
  },
)

t.test('scoring in chunks gives the one-pass columns, chunk edges included', async (t) => {
  const pop = derivePopulation(parents, [inForce], ctx)
  const one = await scoreColumns(inForce, pop, ctx, () => false, pop.size)
  for (const chunk of [1, 7, 1000, 2999, 3000]) {
    const got = await scoreColumns(inForce, pop, ctx, () => false, chunk)
    t.same(Array.from(got.total), Array.from(one.total), `totals, chunks of ${chunk}`)
    t.same(Array.from(got.eligible), Array.from(one.eligible), `eligibility, chunks of ${chunk}`)
    for (const [id, col] of one.items)
      t.same(Array.from(got.items.get(id)!), Array.from(col), `${id}, chunks of ${chunk}`)
  }
  // a stop between chunks ends the scoring
  let calls = 0
  await t.rejects(
    scoreColumns(inForce, pop, ctx, () => ++calls > 1, 1000),
    /the service stopped/,
  )
})
