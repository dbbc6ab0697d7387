// Preview latency before/after advice priced with score(): 2,000 previews (evaluatePoints + advise, as
// PointsService.preview does without a target), both variants interleaved in one process, same inputs.
//
//   npx tsx bench/advice.bench.ts [--n=2000 --before=<git rev of the old scoring/advice.ts>]
//
// The old advice.ts is taken from git (default: the commit before advice moved to score()), its
// relative imports pointed at this checkout, and every advice list of both variants is compared.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import { ApplicantSchema } from '../schema/applicant.ts'
import { advise } from '../scoring/advice.ts'
import { compileTable } from '../scoring/compile.ts'
import { loadShippedTables } from '../src/tables/shipped.ts'
import { generateApplicants } from './lib/applicants.ts'

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=')
    return [k, v ?? 'true'] as const
  }),
)
const n = Number(args.get('n') ?? 2000)
const rev = args.get('before') ?? 'a526f17^'
const root = resolve(import.meta.dirname, '..')
const oldSource = execFileSync('git', ['show', `${rev}:scoring/advice.ts`], { cwd: root, encoding: 'utf8' })
  .replaceAll("from './", `from '${pathToFileURL(join(root, 'scoring'))}/`)
  .replaceAll("from '../", `from '${pathToFileURL(root)}/`)
const oldFile = join(mkdtempSync(join(tmpdir(), 'advice-before-')), 'advice.ts')
writeFileSync(oldFile, oldSource)
const before = (await import(pathToFileURL(oldFile).href)) as { advise: typeof advise }

const asOf = '2026-04-30'
const ctx = { asOf, jurisdiction: '330212' }
const table = compileTable(loadShippedTables().find((x) => x.id === 'yinzhou-points-2022')!)
const applicants = generateApplicants(n, 20260401, asOf).map((a) => ApplicantSchema.parse(a))

const variants = { before: before.advise, after: advise }
const times: Record<keyof typeof variants, number[]> = { before: [], after: [] }
let lines = 0
// warm both up so neither pays the JIT first
for (const a of applicants.slice(0, 200))
  for (const f of Object.values(variants)) f(table, a, ctx, table.evaluatePoints(a, ctx))
for (let i = 0; i < applicants.length; i++) {
  const a = applicants[i]
  // alternate which variant goes first, so load drifts hit both alike
  const order = i % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const)
  const out: Record<string, unknown> = {}
  for (const v of order) {
    const t0 = process.hrtime.bigint()
    const result = table.evaluatePoints(a, ctx)
    out[v] = variants[v](table, a, ctx, result)
    times[v].push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  if (!isDeepStrictEqual(out.before, out.after)) throw new Error(`applicant ${i}: advice differs`)
  lines += (out.after as unknown[]).length
}
const q = (xs: number[], p: number) =>
  [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))]
for (const v of ['before', 'after'] as const)
  console.log(
    `${v}: median ${q(times[v], 0.5).toFixed(3)} ms, p99 ${q(times[v], 0.99).toFixed(3)} ms (${n} previews)`,
  )
console.log(
  `identical advice for all ${n} applicants (${lines} lines); load average ${(await import('node:os')).loadavg()[0].toFixed(1)}`,
)
