// Times explain() alone (points scheme, Ningbo table in force, the engine bench's seeded applicants), for profiling and A/B runs.
//
//   esbuild bench/explain-profile.ts --bundle --platform=node --format=esm --packages=external \
//     --target=node20 --outfile=dist/explain.mjs        (in dist/, so that the shipped tables are found)
//   EXPLAIN_PROFILE_MAIN=1 PASSES=150 node --cpu-prof dist/explain.mjs
//
// Imported instead, `measure(passes)` and `outputs()` let one process alternate two builds (an old
// checkout's bundle and this one's) and check that their breakdowns are byte-identical.
import { type Applicant, ApplicantSchema } from '../schema/applicant.ts'
import { compileTable } from '../scoring/compile.ts'
import { factsSha256 } from '../scoring/hash.ts'
import * as points from '../scoring/schemes/points/index.ts'
import { loadShippedTables } from '../src/tables/shipped.ts'
import { generateApplicants } from './lib/applicants.ts'

const ASOF = '2026-04-30'
const N = Number(process.env.N ?? 300)
const PASSES = Number(process.env.PASSES ?? 200)
const table = loadShippedTables()
  .filter(
    (t) =>
      t.scheme === 'points' &&
      t.jurisdiction === '330200' &&
      t.validFrom <= ASOF &&
      (t.validTo === null || t.validTo >= ASOF),
  )
  .sort((a, b) =>
    a.validFrom === b.validFrom ? b.version - a.version : a.validFrom < b.validFrom ? 1 : -1,
  )[0]
const compiled = compileTable(table)
const ctx = { asOf: ASOF, jurisdiction: '330200' }
const applicants: Applicant[] = generateApplicants(N, 20220401, ASOF).map((a) => ApplicantSchema.parse(a))
const hashed = applicants.map((a) => ({ ...ctx, factsSha256: factsSha256(a) }))
const envs = applicants.map((a) => points.envOf(compiled, a, ctx))
const outcomes = applicants.map((a, i) => points.scoreIn(compiled, envs[i], a, ctx))
let sink = 0

/** µs per explain() over `passes` passes of the population. */
export function measure(passes: number): number {
  const t0 = process.hrtime.bigint()
  for (let p = 0; p < passes; p++)
    for (let i = 0; i < N; i++)
      sink += points.explainIn(compiled, outcomes[i], envs[i], applicants[i], hashed[i]).total
  return Number(process.hrtime.bigint() - t0) / 1e3 / (N * passes)
}

/** Every breakdown as JSON, to compare two builds byte for byte. */
export function outputs(): string {
  return JSON.stringify(
    applicants.map((a, i) => points.explainIn(compiled, outcomes[i], envs[i], a, hashed[i])),
  )
}

if (process.env.EXPLAIN_PROFILE_MAIN === '1')
  console.log(`explain ${measure(PASSES).toFixed(2)} µs per evaluation (${N} × ${PASSES}) sink ${sink}`)
