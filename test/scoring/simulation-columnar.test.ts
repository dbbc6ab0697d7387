// The simulation's columnar path against the per-applicant path it replaced: the same report, byte for byte, on 6,000 seeded applicants; and the streamed population hash.
//
// Reference: `points.score()` twice per applicant and the report code as it was (simulation-reference.ts).
// New: SimulationService.compute on the same population (one columnar store, both tables scored from it).
import t from 'tap'
import { generateApplicants } from '../../bench/lib/applicants.ts'
import { skillsRaisedDraft } from '../../bench/lib/drafts.ts'
import { type Applicant, ApplicantSchema } from '../../schema/applicant.ts'
import type { SimulationInputs } from '../../schema/simulation.ts'
import type { Table } from '../../schema/table.ts'
import { type CompiledTable, compileTable } from '../../scoring/compile.ts'
import { contentSha256, factsSha256 } from '../../scoring/hash.ts'
import { score } from '../../scoring/schemes/points/index.ts'
import { itemIdsOf, type SimulatedApplicant, simulatedOutcome } from '../../scoring/simulation.ts'
import { populationSha256, SimulationService, type SimulationStage } from '../../src/services/simulation.ts'
import { loadShippedTables } from '../../src/tables/shipped.ts'
import { referenceReport } from './simulation-reference.ts'

const ASOF = '2026-04-30'
const ctx = { asOf: ASOF, jurisdiction: '330200' }
const base = loadShippedTables().find((x) => x.id === 'ningbo-points-2022')!
const inForce = compileTable(base)

/** Draft 1: skill tiers raised (cap 15), residence cap 30 → 20: gains and losses both. */
const raised = (table: Table): Table => skillsRaisedDraft(table, 'ningbo-points-draft')

/** Draft 2: the first item renamed (gone from the draft, new in it) and the last one dropped: the item union. */
function renamed(table: Table): Table {
  const copy = structuredClone(table)
  copy.id = 'ningbo-points-renamed'
  copy.items[0].id = `${copy.items[0].id}_new`
  copy.items.pop()
  return copy
}

const applicants: Applicant[] = generateApplicants(6_000, 20261130, ASOF).map((a) => ApplicantSchema.parse(a))
const width = String(applicants.length).length
const units = applicants.map((applicant, i) => ({ key: String(i + 1).padStart(width, '0'), applicant }))

function reference(draft: CompiledTable, params: { binWidth: number; thresholds: number[]; top: number }) {
  const scored: SimulatedApplicant[] = units.map((u) => ({
    key: u.key,
    before: simulatedOutcome(inForce, score(inForce, u.applicant, ctx)),
    after: simulatedOutcome(draft, score(draft, u.applicant, ctx)),
  }))
  return {
    ...referenceReport(scored, {
      ...params,
      itemsBefore: itemIdsOf(inForce),
      itemsAfter: itemIdsOf(draft),
    }),
    round: null,
  }
}

async function columnar(
  draft: CompiledTable,
  params: { binWidth: number; thresholds: number[]; top: number },
  shuffle = false,
) {
  const us = shuffle ? [...units].reverse() : units
  const stages: SimulationStage[] = []
  const report = await SimulationService.compute(
    { inputs: params as SimulationInputs, draft, inForce, round: null, units: us, ctx },
    () => {},
    () => false,
    (stage) => stages.push(stage),
  )
  return { report, stages }
}

for (const [name, table] of [
  ['raised skills, lower residence cap', raised(base)],
  ['an item renamed and one dropped', renamed(base)],
] as const) {
  t.test(`6,000 seeded applicants, ${name}: the columnar report is the per-applicant one`, async (t) => {
    const draft = compileTable(table)
    for (const params of [
      { binWidth: 10, thresholds: [60, 100, 120], top: 10 },
      { binWidth: 3, thresholds: [], top: 10_000 },
    ]) {
      const want = reference(draft, params)
      const { report, stages } = await columnar(draft, params)
      // the population is not trivial: both tables move people, in both directions
      t.ok(want.changed > 100, `${want.changed} changed`)
      t.ok(want.gains.length > 0 || want.losses.length > 0)
      t.equal(JSON.stringify(report), JSON.stringify(want), `byte-identical, top ${params.top}`)
      t.same(stages, ['derive', 'score', 'report'])
      // order of the upload does not show: reversed rows, same bytes
      t.equal(JSON.stringify((await columnar(draft, params, true)).report), JSON.stringify(want))
    }
  })
}

t.test('the streamed population hash is contentSha256 of the pairs, across chunk edges', async (t) => {
  for (const n of [0, 1, 4095, 4096, 4097, 8192, 9000]) {
    const pairs = Array.from({ length: n }, (_, i) => [
      // keys with characters JSON escapes: quotes, backslash, control, non-ASCII
      i % 7 === 0 ? `ref"\\\n${i}-宁波` : String(i + 1).padStart(5, '0'),
      factsSha256(applicants[i % applicants.length]),
    ])
    t.equal(populationSha256(pairs), contentSha256(pairs), `${n} pairs`)
  }
})
