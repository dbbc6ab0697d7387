// Facts-hash benchmark: µs per applicant of factsSha256 (compiled canonical JSON + SHA-256) against canonicalize, on the production build.
//
//   npx tsx bench/facts-hash.bench.ts [-- --n=2000 --rounds=7 --seed=20220401 --no-build]
//
// Production runs dist/jifen.mjs, an esbuild bundle of the CLI that exports nothing. So this runs
// `npm run build` (unless --no-build), then bundles scoring/hash.ts with the very esbuild command of
// the build script (read from package.json: same flags, only the entry and the output file differ)
// and times that bundle; the tsx sources are timed beside it. Every figure is a ratio against the
// canonicalize path in the same rounds (alternating, so that load hits both alike): on a loaded
// machine the µs say little, the ratio holds.
//
// Exit status: 0 when every applicant's compiled text and hash equal canonicalize's; 1 otherwise.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ApplicantSchema } from '../schema/applicant.ts'
import { canonicalFactsJson } from '../scoring/canonical-compiled.ts'
import { canonicalJson, factsSha256, sha256Hex } from '../scoring/hash.ts'
import { generateApplicants } from './lib/applicants.ts'
import { buildProduction, bundleLikeProduction } from './lib/bundle.ts'
import { fig, QUICK, writeFigures } from './lib/figures.ts'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
/** issue 9: the facts hash was about 17 µs per applicant; the target is 5 µs or less */
const TARGET_US = 5
const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=')
    return [k, v ?? 'true'] as const
  }),
)
const N = Number(args.get('n') ?? (QUICK ? 300 : 2000))
const ROUNDS = Number(args.get('rounds') ?? (QUICK ? 3 : 7))
const SEED = Number(args.get('seed') ?? 20220401)
const MIN_SAMPLE_MS = 120

interface HashModule {
  factsSha256(a: { idNumber?: string }): string
  canonicalJson(v: unknown): string
  canonicalFactsJson(v: unknown): string
}

async function loadBundle(): Promise<HashModule> {
  if (!args.has('no-build')) {
    buildProduction()
    // the production bundle carries the compiled writer (it is not tree-shaken away or left to tsx)
    if (!readFileSync(join(ROOT, 'dist', 'jifen.mjs'), 'utf8').includes('compileCanonicalWriter'))
      throw new Error('dist/jifen.mjs does not contain the compiled canonical writer')
  }
  // inside the project (.bench/ is ignored by git), so that the bundle's external packages resolve as dist/'s do
  const dir = join(ROOT, '.bench')
  mkdirSync(dir, { recursive: true })
  const entry = join(dir, 'facts-hash-entry.ts')
  writeFileSync(
    entry,
    [
      `export { factsSha256, canonicalJson } from ${JSON.stringify(join(ROOT, 'scoring', 'hash.ts'))}`,
      `export { canonicalFactsJson } from ${JSON.stringify(join(ROOT, 'scoring', 'canonical-compiled.ts'))}`,
    ].join('\n'),
  )
  const out = join(dir, 'facts-hash.mjs')
  bundleLikeProduction(entry, out)
  return (await import(pathToFileURL(out).href)) as HashModule
}

/** What factsSha256 did before the compiled writer: the applicant without its ID, canonicalize, createHash. */
function referenceHash(m: HashModule, a: { idNumber?: string }): string {
  const { idNumber: _omit, ...facts } = a
  return createHash('sha256').update(m.canonicalJson(facts)).digest('hex')
}

async function sample(pass: () => void): Promise<number> {
  let passes = 0
  const start = process.hrtime.bigint()
  let elapsed = 0
  do {
    pass()
    passes++
    elapsed = Number(process.hrtime.bigint() - start) / 1e6
  } while (elapsed < MIN_SAMPLE_MS)
  return (elapsed * 1000) / (passes * N)
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

async function main(): Promise<void> {
  const bundle = await loadBundle()
  // the bench's wider nested arrays, not only the golden population's
  const applicants = generateApplicants(N, SEED, '2026-04-30').map((a) => ApplicantSchema.parse(a))
  const src: HashModule = { factsSha256, canonicalJson, canonicalFactsJson }
  let wrong = 0
  for (const m of [bundle, src]) {
    for (const a of applicants) {
      const { idNumber: _omit, ...facts } = a
      if (m.canonicalFactsJson(a) !== m.canonicalJson(facts) || m.factsSha256(a) !== referenceHash(m, a))
        wrong++
    }
  }
  const bytes = applicants.reduce((s, a) => s + bundle.canonicalFactsJson(a).length, 0) / N
  console.log(
    `facts hash: ${N} applicants (seed ${SEED}, ~${bytes.toFixed(0)} characters of canonical JSON each), ${ROUNDS} rounds`,
  )
  console.log(
    `  check       ${wrong === 0 ? `all ${N} identical to canonicalize, text and hash, bundle and sources` : `${wrong} differ`}`,
  )

  let sink = 0
  const passes: Record<string, () => void> = {}
  for (const [where, m] of [
    ['bundle', bundle],
    ['tsx', src],
  ] as const) {
    passes[`${where}: factsSha256, compiled`] = () => {
      for (const a of applicants) sink += m.factsSha256(a).length
    }
    passes[`${where}: factsSha256, canonicalize`] = () => {
      for (const a of applicants) sink += referenceHash(m, a).length
    }
    passes[`${where}: JSON only, compiled`] = () => {
      for (const a of applicants) sink += m.canonicalFactsJson(a).length
    }
    passes[`${where}: JSON only, canonicalize`] = () => {
      for (const a of applicants) {
        const { idNumber: _omit, ...facts } = a
        sink += m.canonicalJson(facts).length
      }
    }
  }
  // The floor: V8's own native serialiser (not canonical: no key order, no ID left out) and SHA-256 of its
  // text. Nothing written in JavaScript serialises an applicant faster, so a compiled writer at or under
  // this floor is as fast as this machine allows in JavaScript; the µs bar is judged against it.
  passes['floor: JSON.stringify + SHA-256'] = () => {
    for (const a of applicants) sink += sha256Hex(JSON.stringify(a)).length
  }
  const names = Object.keys(passes)
  for (const n of names) {
    passes[n]()
    await sample(passes[n])
  }
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  for (let r = 0; r < ROUNDS; r++) {
    const order = [...names.slice(r % names.length), ...names.slice(0, r % names.length)]
    for (const n of order) samples[n].push(await sample(passes[n]))
  }
  const med = Object.fromEntries(names.map((n) => [n, median(samples[n])]))
  for (const n of names) console.log(`  ${n.padEnd(40)} ${med[n].toFixed(2).padStart(7)} µs`)
  for (const where of ['bundle', 'tsx']) {
    const hashRatio = med[`${where}: factsSha256, canonicalize`] / med[`${where}: factsSha256, compiled`]
    const jsonRatio = med[`${where}: JSON only, canonicalize`] / med[`${where}: JSON only, compiled`]
    console.log(
      `  ${where.padEnd(6)} compiled is ${hashRatio.toFixed(2)}× faster than canonicalize for the hash, ${jsonRatio.toFixed(2)}× for the JSON alone`,
    )
  }
  const compiled = med['bundle: factsSha256, compiled']
  const floor = med['floor: JSON.stringify + SHA-256']
  const load = loadavg()[0]
  console.log(
    `  floor       JSON.stringify (native, not canonical) + SHA-256: ${floor.toFixed(2)} µs; the compiled facts hash takes ${(compiled / floor).toFixed(2)}× that`,
  )
  console.log(
    `  target      ≤ ${TARGET_US} µs per facts hash on the bundle: ${compiled.toFixed(2)} µs (${compiled <= TARGET_US ? 'met' : 'not met'}); load average ${load.toFixed(1)} on this machine, so the µs are as loaded as the ratios are not`,
  )
  if (sink === 0) console.log('')
  const ratio = (where: string) =>
    med[`${where}: factsSha256, canonicalize`] / med[`${where}: factsSha256, compiled`]
  writeFigures([
    fig({
      id: 'facts-hash.bundle_us',
      label: 'factsSha256 per applicant, compiled canonical JSON + SHA-256, bundle',
      value: compiled,
      unit: 'µs',
      bar: { op: '<=', value: TARGET_US },
      note:
        compiled <= TARGET_US
          ? `${N} applicants, ${ROUNDS} rounds; load average ${load.toFixed(1)}`
          : `Over the bar at load average ${load.toFixed(1)} (2 shared cores): the JSON alone takes ${med['bundle: JSON only, compiled'].toFixed(2)} µs, the rest is SHA-256 (which first flattens the concatenated text). The same run's floor, V8's native JSON.stringify + SHA-256 of the same applicants, took ${floor.toFixed(2)} µs (${(compiled / floor).toFixed(2)}× is ours against it): ${compiled <= floor * 1.05 ? 'ours is at that floor (within 5 %), so the bar is out of reach here by serialising faster' : 'ours is not at that floor yet'}. Tried and dropped (slower here): writing UTF-8 bytes into a reused buffer, an array join, one escape test over the whole text.`,
    }),
    fig({
      id: 'facts-hash.tsx_us',
      label: 'factsSha256 per applicant, compiled, tsx sources',
      value: med['tsx: factsSha256, compiled'],
      unit: 'µs',
    }),
    fig({
      id: 'facts-hash.bundle_vs_canonicalize',
      label: 'canonicalize + SHA-256 time / compiled time, bundle (same rounds)',
      value: ratio('bundle'),
      unit: '×',
    }),
    fig({
      id: 'facts-hash.bundle_json_only_us',
      label: 'compiled canonical JSON alone (no hash), bundle',
      value: med['bundle: JSON only, compiled'],
      unit: 'µs',
    }),
    fig({
      id: 'facts-hash.floor_native_stringify_us',
      label: 'floor: V8 JSON.stringify (native, not canonical) + SHA-256 of the same applicants, same rounds',
      value: floor,
      unit: 'µs',
    }),
    fig({
      id: 'facts-hash.bundle_vs_native_floor',
      label: 'compiled facts hash time / native-floor time (below 1: faster than V8’s own serialiser)',
      value: compiled / floor,
      unit: '×',
    }),
    fig({
      id: 'facts-hash.identical',
      label: `applicants whose compiled text and hash differ from canonicalize's (of ${N})`,
      value: wrong,
      unit: '',
    }),
  ])
  process.exitCode = wrong === 0 ? 0 : 1
}

await main()
