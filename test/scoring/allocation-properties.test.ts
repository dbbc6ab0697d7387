// Property tests (fast-check, seeded, small rounds) of the admission allocator against its rules and
// against a plain reference: capacity, no justified envy, input order, completeness, the exact rank order.
import { createHash } from 'node:crypto'
import fc from 'fast-check'
import t from 'tap'
import {
  type AllocationApplication,
  type AllocationResult,
  type AllocationRound,
  allocate,
  TIE_BREAK_KEYS,
  type TieBreakKey,
} from '../../scoring/allocation.ts'

const SEED = 20260401
const RUNS = 300

/** Throws with `message` when `ok` is false (fast-check shrinks and reports the counterexample). */
function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message)
}

// ---------------------------------------------------------------- arbitraries

const UNIT_IDS = ['A', 'B', 'C', 'D', '甲', '乙'] as const

const units = fc
  .uniqueArray(fc.constantFrom(...UNIT_IDS), { minLength: 1, maxLength: 5 })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) => fc.integer({ min: 0, max: 4 }).map((seats) => ({ id, name: `学校${id}`, seats }))),
    ),
  )

/** Refs of several kinds: short ones, long shared prefixes that differ late, any Unicode (astral included). */
const ref = fc
  .oneof(
    fc.stringMatching(/^[A-Za-z0-9]{1,3}$/),
    fc.integer({ min: 0, max: 999 }).map((k) => `YZ2026P1${String(k).padStart(6, '0')}`),
    fc
      .tuple(fc.constantFrom('a', 'b'), fc.constantFrom('x', 'y', 'z', ''))
      .map(([p, q]) => `R${p}${'0'.repeat(12)}${q}`),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
  )
  .filter((s) => s.length > 0 && (s as unknown as { isWellFormed(): boolean }).isWellFormed())

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** RFC 3339 instants: a few shared ones (so that times tie, also written in other offsets), or any. */
const instant = fc.oneof(
  fc.constantFrom('2026-04-01T09:00:00+08:00', '2026-04-01T01:00:00Z', '2026-04-01T01:00:00.000-00:00'),
  fc
    .record({
      y: fc.integer({ min: 1900, max: 2200 }),
      mo: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 28 }),
      h: fc.integer({ min: 0, max: 23 }),
      mi: fc.integer({ min: 0, max: 59 }),
      s: fc.integer({ min: 0, max: 59 }),
      frac: fc.option(fc.stringMatching(/^[0-9]{1,12}$/), { nil: null }),
      off: fc.option(fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }), { nil: null }),
    })
    .map(({ y, mo, d, h, mi, s, frac, off }) => {
      const zone =
        off === null
          ? 'Z'
          : `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`
      return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${frac === null ? '' : `.${frac}`}${zone}`
    }),
)

/** Mostly values that tie, sometimes any (to reach the wide-range paths of the ranking). */
const months = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }) },
  { weight: 1, arbitrary: fc.maxSafeNat() },
)
const points = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(null, 0, 1_000_000, 1_205_000, -30_000) },
  { weight: 1, arbitrary: fc.integer({ min: -1_000_000, max: 3_000_000 }) },
  { weight: 1, arbitrary: fc.maxSafeInteger() },
)

const application = (ref: string) =>
  fc
    .record({
      eligible: fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
      tier: fc.constantFrom(null, null, 1, 2),
      points,
      insuranceMonths: months,
      residenceMonths: months,
      appliedAt: fc.option(instant, { nil: null, freq: 5 }),
      preferences: fc.array(fc.constantFrom(...UNIT_IDS, 'NOPE'), { maxLength: 5 }),
    })
    .map(
      (r): AllocationApplication => ({
        ref,
        ...r,
        failedGate: r.eligible ? null : { id: 'permit', label: '居住证', reason: 'no valid permit' },
      }),
    )

const roundAndApplications = (minApplications: number, maxApplications: number) =>
  fc
    .record({
      units,
      cutoffScope: fc.constantFrom('school' as const, 'pool' as const),
      tieBreak: fc.shuffledSubarray([...TIE_BREAK_KEYS]),
      lotterySeed: fc.string({ minLength: 1, maxLength: 8 }),
      refs: fc.uniqueArray(ref, { minLength: minApplications, maxLength: maxApplications, size: 'max' }),
    })
    .chain(({ refs, ...round }) =>
      fc.tuple(
        fc.constant(round as AllocationRound),
        refs.length === 0 ? fc.constant([]) : fc.tuple(...refs.map(application)),
      ),
    )

const shuffle = <T>(xs: readonly T[], by: readonly number[]): T[] =>
  xs
    .map((x, i) => [x, by[i % Math.max(by.length, 1)] ?? 0, i] as const)
    .sort((a, b) => a[1] - b[1] || b[2] - a[2])
    .map(([x]) => x)

// ---------------------------------------------------------------- a plain reference

/** Code point order, by comparing arrays of code points. */
function codePointCompare(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number)
  const y = Array.from(b, (c) => c.codePointAt(0) as number)
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i]
  return x.length - y.length
}

/** An instant as BigInt picoseconds since 1970 (the generator writes at most 12 fractional digits). */
function picoseconds(s: string): bigint {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/.exec(s)
  if (!m) throw new Error(`not an instant: ${s}`)
  const [, y, mo, d, h, mi, se, frac, zone, sign, oh, om] = m
  let seconds = BigInt(Date.UTC(+y, +mo - 1, +d, +h, +mi, +se) / 1000)
  if (zone !== 'Z') seconds -= BigInt((sign === '+' ? 1 : -1) * (+oh * 3600 + +om * 60))
  return seconds * 10n ** 12n + BigInt((frac ?? '').padEnd(12, '0').slice(0, 12) || '0')
}

const sha = (seed: string, ref: string) => createHash('sha256').update(`${seed}:${ref}`, 'utf8').digest('hex')

/** Descending, null last. */
const desc = (a: number | null, b: number | null) =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a > b ? -1 : 1

function referenceRanking(round: AllocationRound, apps: readonly AllocationApplication[]): string[] {
  const by: Record<TieBreakKey, (a: AllocationApplication, b: AllocationApplication) => number> = {
    points: (a, b) => desc(a.points, b.points),
    insuranceMonths: (a, b) => desc(a.insuranceMonths, b.insuranceMonths),
    residenceMonths: (a, b) => desc(a.residenceMonths, b.residenceMonths),
    appliedAt: (a, b) => {
      if (a.appliedAt === b.appliedAt) return 0
      if (a.appliedAt === null) return 1
      if (b.appliedAt === null) return -1
      const x = picoseconds(a.appliedAt)
      const y = picoseconds(b.appliedAt)
      return x === y ? 0 : x < y ? -1 : 1
    },
    lottery: (a, b) => {
      const x = sha(round.lotterySeed, a.ref)
      const y = sha(round.lotterySeed, b.ref)
      return x === y ? 0 : x < y ? -1 : 1
    },
  }
  return apps
    .filter((a) => a.eligible)
    .sort((a, b) => {
      const tier = (a.tier ?? Number.POSITIVE_INFINITY) - (b.tier ?? Number.POSITIVE_INFINITY)
      if (tier !== 0 && !Number.isNaN(tier)) return tier
      for (const k of round.tieBreak) {
        const c = by[k](a, b)
        if (c !== 0) return c
      }
      return codePointCompare(a.ref, b.ref)
    })
    .map((a) => a.ref)
}

/** Serial dictatorship, written plainly: ref → unit id, for those placed. */
function referencePlacement(
  round: AllocationRound,
  apps: readonly AllocationApplication[],
  ranking: readonly string[],
): Map<string, string> {
  const left = new Map(round.units.map((u) => [u.id, u.seats]))
  const byRef = new Map(apps.map((a) => [a.ref, a]))
  const placed = new Map<string, string>()
  for (const r of ranking)
    for (const p of (byRef.get(r) as AllocationApplication).preferences) {
      const n = left.get(p)
      if (n !== undefined && n > 0) {
        left.set(p, n - 1)
        placed.set(r, p)
        break
      }
    }
  return placed
}

// ---------------------------------------------------------------- the properties

function properties(
  round: AllocationRound,
  apps: readonly AllocationApplication[],
  r: AllocationResult,
): void {
  const input = new Map(apps.map((a) => [a.ref, a]))
  const seats = new Map(round.units.map((u) => [u.id, u.seats]))
  const unitOut = new Map(r.units.map((u) => [u.id, u]))
  const outcomes = r.applications

  // no unit over capacity; its counts agree with the outcomes
  for (const u of round.units) {
    const placedHere = outcomes.filter((o) => o.placed?.unit === u.id)
    const out = unitOut.get(u.id)
    check(out !== undefined, `unit ${u.id} missing`)
    check(placedHere.length <= u.seats, `${u.id}: ${placedHere.length} placed > ${u.seats} seats`)
    check(out?.placed === placedHere.length, `${u.id}: reports ${out?.placed}, ${placedHere.length} placed`)
    check(out?.seatsLeft === u.seats - placedHere.length, `${u.id}: seatsLeft`)
    const last = placedHere.reduce((m, o) => Math.max(m, o.rank as number), 0)
    check(
      (out?.cutoff?.rank ?? 0) === last,
      `${u.id}: cut-off rank ${out?.cutoff?.rank}, last admitted ${last}`,
    )
  }

  // no justified envy: a child refused by a unit it listed above where it ended up ranks after every
  // child placed there
  const ranksAt = new Map<string, number[]>()
  for (const o of outcomes)
    if (o.placed) ranksAt.set(o.placed.unit, [...(ranksAt.get(o.placed.unit) ?? []), o.rank])
  for (const o of outcomes) {
    if (o.rank === null) continue
    const prefs = (input.get(o.ref) as AllocationApplication).preferences
    const above = o.placed ? prefs.slice(0, o.placed.preferenceRank - 1) : prefs
    for (const u of above) {
      if (u === o.placed?.unit) continue
      for (const other of ranksAt.get(u) ?? [])
        check(other < o.rank, `${o.ref} (rank ${o.rank}) refused by ${u}, which placed rank ${other}`)
    }
  }

  // every ranked child is placed, or every unit it listed is full (a unit of 0 seats is full)
  for (const o of outcomes) {
    if (o.rank === null || o.placed) continue
    const known = (input.get(o.ref) as AllocationApplication).preferences.filter((p) => seats.has(p))
    for (const u of known) check(unitOut.get(u)?.seatsLeft === 0, `${o.ref} not placed, ${u} has seats left`)
    const expected =
      known.length === 0 ? 'no_preferences' : round.cutoffScope === 'pool' ? 'referred' : 'below_cutoff'
    check(o.outcome === expected, `${o.ref}: ${o.outcome}, expected ${expected}`)
    check(new Set(o.refusals.map((x) => x.unit)).size === new Set(known).size, `${o.ref}: refusals`)
    for (const x of o.refusals)
      check(
        x.refusal === 'no_seats'
          ? seats.get(x.unit) === 0 && x.cutoffRank === null
          : x.cutoffRank === unitOut.get(x.unit)?.cutoff?.rank && (x.cutoffRank as number) < o.rank,
        `${o.ref}: refusal by ${x.unit} does not match the unit's cut-off`,
      )
  }

  // the rank order is the one a plain comparator gives, and the placement a plain serial dictatorship's
  const ranking = referenceRanking(round, apps)
  const got = outcomes
    .filter((o) => o.rank !== null)
    .sort((a, b) => (a.rank as number) - (b.rank as number))
    .map((o) => o.ref)
  check(JSON.stringify(got) === JSON.stringify(ranking), `ranking ${got} ≠ reference ${ranking}`)
  const placement = referencePlacement(round, apps, ranking)
  for (const o of outcomes)
    check((o.placed?.unit ?? null) === (placement.get(o.ref) ?? null), `${o.ref}: placement differs`)

  // outcomes by ref in code point order, one per application; ranks 1 … ranked
  for (let i = 1; i < outcomes.length; i++)
    check(codePointCompare(outcomes[i - 1].ref, outcomes[i].ref) < 0, 'outcomes not in ref order')
  check(outcomes.length === apps.length, 'one outcome per application')
}

t.test('capacity, no justified envy, completeness, and the exact order, on small rounds', async (t) => {
  fc.assert(
    fc.property(roundAndApplications(0, 30), ([round, apps]) =>
      properties(round, apps, allocate(round, apps)),
    ),
    { seed: SEED, numRuns: RUNS },
  )
  t.pass(`${RUNS} rounds of up to 30 applications`)
})

t.test('shuffling the applications changes nothing, byte for byte', async (t) => {
  fc.assert(
    fc.property(
      roundAndApplications(0, 30),
      fc.array(fc.integer(), { minLength: 1, maxLength: 30 }),
      ([round, apps], by) => {
        const once = JSON.stringify(allocate(round, apps))
        const shuffled = shuffle(apps, by)
        check(JSON.stringify(allocate(round, shuffled)) === once, 'a shuffled input gave other bytes')
        check(
          JSON.stringify(allocate(round, [...apps].reverse())) === once,
          'the reversed input gave other bytes',
        )
      },
    ),
    { seed: SEED, numRuns: RUNS },
  )
  t.pass(`${RUNS} rounds, each shuffled and reversed`)
})

t.test('the same on rounds of a few hundred applications, where many tie', async (t) => {
  const runs = 25
  fc.assert(
    fc.property(roundAndApplications(100, 400), ([round, apps]) => {
      const r = allocate(round, apps)
      properties(round, apps, r)
      check(JSON.stringify(allocate(round, [...apps].reverse())) === JSON.stringify(r), 'reversed input')
    }),
    { seed: SEED, numRuns: runs },
  )
  t.pass(`${runs} rounds of 100 to 400 applications`)
})
