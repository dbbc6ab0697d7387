// The applicant fast path accepts exactly what ApplicantSchema accepts, with zod's output: seeded, generated, mutated and hostile values.
import { inspect, isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import t from 'tap'
import { generateApplicants } from '../../bench/lib/applicants.ts'
import {
  type Applicant,
  ApplicantSchema,
  EDUCATION_LEVELS,
  EMPLOYMENT_KINDS,
  HONOUR_LEVELS,
  HOUSING_KINDS,
  ORGAN_DONATION,
  RECORD_KINDS,
  TITLE_GRADES,
} from '../../schema/applicant.ts'
import { parseApplicantFast } from '../../schema/applicant-fast.ts'
import { goldenCase } from '../golden/cases.ts'
import { goldenTargets } from '../golden/golden-file.ts'
import { applicantInput } from '../scoring/arbitraries.ts'

/** Every object's keys, in order, at every depth: zod's output and the fast path's must list the same. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape)
  if (v !== null && typeof v === 'object')
    return Object.keys(v).map((k) => [k, shape((v as Record<string, unknown>)[k])])
  return typeof v
}

/**
 * Where the fast path and zod part, or '' when they agree: when the fast path accepts, zod accepts
 * with a deep-equal output, keys in the same order; when `mustAccept`, the fast path accepts what zod accepts.
 */
function disagreement(value: unknown, mustAccept: boolean): string {
  let fast: Applicant | undefined
  try {
    fast = parseApplicantFast(value)
  } catch (e) {
    return `the fast path threw ${(e as Error).name}`
  }
  const zod = ApplicantSchema.safeParse(value)
  if (fast === undefined)
    return mustAccept && zod.success ? 'zod accepts, the fast path declines a plain JSON value' : ''
  if (!zod.success) return `the fast path accepts, zod rejects: ${zod.error.issues[0]?.message}`
  if (!isDeepStrictEqual(fast, zod.data)) return 'outputs differ'
  if (!isDeepStrictEqual(shape(fast), shape(zod.data))) return 'key order differs'
  return ''
}

t.test('seeded applicants: the golden population, the bench population, generated inputs', async (t) => {
  const targets = goldenTargets()
  let n = 0
  const wrong: string[] = []
  const check = (person: unknown, where: string) => {
    n++
    const d = disagreement(person, true)
    if (d === '' && parseApplicantFast(person) === undefined) wrong.push(`${where}: declined`)
    else if (d !== '') wrong.push(`${where}: ${d}`)
  }
  for (let i = 0; i < 5_000; i++) {
    const c = goldenCase(i, targets)
    const people = c.applicant !== undefined ? [c.applicant] : (c.household as { parents: unknown[] }).parents
    for (const p of people) check(JSON.parse(JSON.stringify(p)), `golden case ${i}`)
  }
  for (const [i, a] of generateApplicants(5_000, 20261130, '2026-04-30').entries())
    check(JSON.parse(JSON.stringify(a)), `bench applicant ${i}`)
  for (const [i, a] of fc.sample(applicantInput, { numRuns: 2_000, seed: 3 }).entries())
    check(JSON.parse(JSON.stringify(a)), `generated ${i}`)
  // zod's output parsed again: every default present
  for (const [i, a] of fc.sample(applicantInput, { numRuns: 1_000, seed: 4 }).entries())
    check(JSON.parse(JSON.stringify(ApplicantSchema.parse(a))), `parsed ${i}`)
  t.ok(n >= 13_000, `${n} applicants`)
  t.same(wrong.slice(0, 5), [], `${wrong.length} disagree or are declined`)
})

// ---------------------------------------------------------------- the fuzz corpus

/** Hostile values, as test/scoring/canonical-compiled.test.ts and the route fuzz test send them. */
const ODD_STRINGS = [
  '',
  '\u0000',
  '"',
  '\ud800',
  '\ufeff330212',
  '３３０２１２',
  '2026-04-30\n',
  ' 2026-04-30',
  '2026-4-30',
  '330212\n',
  '330212199001011232\n',
  'é',
]
const ODD_NUMBERS = [-0, 0.1 + 0.2, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, 2 ** 53, 2 ** 53 + 2, -1, 1 / 3]
const ODD_THINGS: (() => unknown)[] = [
  () => Number.NaN,
  () => Number.POSITIVE_INFINITY,
  () => undefined,
  () => null,
  () => new Date(0),
  () => Object.create(null),
  () => Object.assign(Object.create(null), { kind: 'special_ability' }),
  () => ({ toJSON: () => 'x' }),
  () => Symbol('s'),
  () => () => 1,
  () => [undefined],
  () => ({ a: undefined }),
  () => ({ [Symbol('k')]: 1 }),
  () => Object.setPrototypeOf([], {}),
  () =>
    new (class Fact {
      kind = 'title'
      grade = 'senior'
    })(),
  () => 10n,
]
/** Values at and just past every bound of the schema, and every enum's members. */
const BOUNDARIES: unknown[] = [
  0,
  1,
  5,
  6,
  0.5,
  50,
  51,
  64,
  65,
  100,
  101,
  200,
  201,
  500,
  501,
  10_000,
  10_001,
  100_000,
  100_001,
  1_000_000,
  1_000_001,
  1e12,
  1e12 + 1,
  true,
  false,
  '2024-02-29',
  '2023-02-29',
  '1900-01-01',
  '1899-12-31',
  '2200-12-31',
  '2201-01-01',
  '2024-00-10',
  '2024-13',
  '2024-12',
  '1899-12',
  '330212',
  '33021',
  '330212001',
  '3302120011',
  '330212199001011232',
  '330212199001011233',
  '330212199002301238',
  'self',
  'spouse',
  'skill_level',
  'title',
  'special_ability',
  ...EDUCATION_LEVELS,
  ...EMPLOYMENT_KINDS,
  ...HONOUR_LEVELS,
  ...HOUSING_KINDS,
  ...ORGAN_DONATION,
  ...RECORD_KINDS,
  ...TITLE_GRADES,
  [],
  {},
  { kind: 'title', grade: 'senior' },
  { kind: 'skill_level', level: 0 },
  { kind: 'special_ability' },
  { from: '2020-01', to: '2019-12', region: '330212' },
  { from: '2020-01-01', to: '2019-12-31', region: '330212' },
  { issuedOn: '2020-01-01', endorsements: ['2019-12-31'] },
  { a: 1 },
  { a_b: true, c: 1_000_001 },
  Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 1])),
  Array.from({ length: 51 }, () => 'city'),
  Array.from({ length: 101 }, () => 'city'),
  Array.from({ length: 101 }, () => '2020-01-01'),
  Array.from({ length: 201 }, () => ({ kind: 'crime', date: '2020-01-01' })),
]

const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...BOUNDARIES).map((v) => structuredClone(v)) },
  fc.constantFrom(...ODD_STRINGS),
  fc.constantFrom(...ODD_NUMBERS),
  fc.constantFrom(...ODD_THINGS).map((make) => make()),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
)

type Path = (string | number)[]

function pathsOf(v: unknown, at: Path = []): Path[] {
  const out: Path[] = [at]
  if (Array.isArray(v)) for (const [i, x] of v.entries()) out.push(...pathsOf(x, [...at, i]))
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, [...at, k]))
  return out
}

/** A deep copy of `value` with the node at `path` replaced, deleted, or given an extra key. */
function mutate(
  value: unknown,
  path: Path,
  m: { kind: 'replace' | 'delete' | 'add'; key: string; v: unknown },
) {
  const copy = structuredClone(value) as Record<string | number, unknown>
  if (path.length === 0) return m.kind === 'replace' ? m.v : copy
  let node = copy
  for (const p of path.slice(0, -1)) node = node[p] as Record<string | number, unknown>
  const last = path[path.length - 1]
  if (m.kind === 'replace') node[last] = m.v
  else if (m.kind === 'delete') delete node[last]
  else if (node[last] !== null && typeof node[last] === 'object')
    (node[last] as Record<string, unknown>)[m.key] = m.v
  return copy
}

/** A value JSON.parse could have made, with no key zod strips: the fast path must decide it as zod does. */
function plainJson(v: unknown): boolean {
  let text: string | undefined
  try {
    text = JSON.stringify(v)
  } catch {
    return false
  }
  return text !== undefined && !text.includes('"__proto__"') && isDeepStrictEqual(JSON.parse(text), v)
}

t.test('the fuzz corpus: mutated and hostile applicants get zod’s verdict and output', async (t) => {
  const seeds = [
    ...fc.sample(applicantInput, { numRuns: 40, seed: 11 }),
    ...fc.sample(applicantInput, { numRuns: 20, seed: 12 }).map((a) => ApplicantSchema.parse(a)),
    ...generateApplicants(40, 7, '2026-04-30'),
  ].map((a) => JSON.parse(JSON.stringify(a)) as unknown)
  const mutated = fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.nat(),
      fc.constantFrom('replace' as const, 'delete' as const, 'add' as const),
      fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'toString', 'idNumber', 'kind', 'level', 'to', 'a', ''),
        fc.string(),
      ),
      hostile,
    )
    .map(([seed, n, kind, key, v]) => {
      const paths = pathsOf(seed)
      return mutate(seed, paths[n % paths.length], { kind, key, v })
    })
  let accepted = 0
  let rejected = 0
  const run = fc.check(
    fc.property(mutated, (value) => {
      const d = disagreement(value, plainJson(value))
      if (ApplicantSchema.safeParse(value).success) accepted++
      else rejected++
      return d === ''
    }),
    { numRuns: 15_000, seed: 5 },
  )
  t.notOk(
    run.failed,
    run.counterexample
      ? `${disagreement(run.counterexample[0], plainJson(run.counterexample[0]))}: ${inspect(run.counterexample[0], { depth: 9 })}`
      : 'none failed',
  )
  // both verdicts occur often enough for the comparison to mean something
  t.ok(accepted > 1_500, `${accepted} mutated values zod accepts`)
  t.ok(rejected > 1_500, `${rejected} mutated values zod rejects`)
})

t.test('named cases', async (t) => {
  const base = JSON.parse(JSON.stringify(ApplicantSchema.parse({ birthDate: '1990-01-01' })))
  const cases: [string, unknown, 'accept' | 'decline'][] = [
    ['only a birth date', { birthDate: '1990-01-01' }, 'accept'],
    ['an ID number that matches', { idNumber: '330212199001011232', birthDate: '1990-01-01' }, 'accept'],
    [
      'an ID number of another birth date',
      { idNumber: '330212199001011232', birthDate: '1990-01-02' },
      'decline',
    ],
    [
      'an ID number with a bad checksum',
      { idNumber: '330212199001011233', birthDate: '1990-01-01' },
      'decline',
    ],
    ['an unknown key', { ...base, idNumberHmac: 'ab' }, 'decline'],
    ['a key with an undefined value', { ...base, hukou: undefined }, 'decline'],
    [
      'a __proto__ district item (zod strips it)',
      JSON.parse('{"birthDate":"1990-01-01","districtItems":{"__proto__":1}}'),
      'decline',
    ],
    ['a null-prototype object', Object.assign(Object.create(null), base), 'decline'],
    [
      'an insurance period ending before it starts',
      { ...base, socialInsurance: [{ from: '2020-02', to: '2020-01', region: '330212' }] },
      'decline',
    ],
    [
      'a late endorsement is fine',
      {
        ...base,
        residence: {
          registeredSince: '2019-01-01',
          region: '330212',
          permit: { issuedOn: '2019-03-01', endorsements: ['2021-05-01'] },
        },
      },
      'accept',
    ],
    [
      'an endorsement before issue',
      {
        ...base,
        residence: {
          registeredSince: '2019-01-01',
          region: '330212',
          permit: { issuedOn: '2019-03-01', endorsements: ['2019-02-01'] },
        },
      },
      'decline',
    ],
    ['a skill level of 2.5', { ...base, skills: [{ kind: 'skill_level', level: 2.5 }] }, 'decline'],
    [
      '65 district items',
      { ...base, districtItems: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 1])) },
      'decline',
    ],
    [
      '64 district items',
      { ...base, districtItems: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, true])) },
      'accept',
    ],
  ]
  for (const [name, value, expected] of cases) {
    t.equal(disagreement(value, plainJson(value)), '', `${name}: the fast path agrees with zod`)
    t.equal(parseApplicantFast(value) === undefined ? 'decline' : 'accept', expected, `${name}: ${expected}`)
  }
})
