// The compiled canonical-JSON writer of the facts hash writes what canonicalize writes, byte for byte: seeded, generated and hostile values.
import { createHash } from 'node:crypto'
import { inspect } from 'node:util'
import fc from 'fast-check'
import t from 'tap'
import { type Applicant, ApplicantSchema } from '../../schema/applicant.ts'
import { canonicalFactsJson, compileCanonicalWriter } from '../../scoring/canonical-compiled.ts'
import { canonicalJson, factsSha256 } from '../../scoring/hash.ts'
import { goldenCase } from '../golden/cases.ts'
import { goldenTargets } from '../golden/golden-file.ts'
import { applicant as applicantArbitrary } from './arbitraries.ts'

/** What the facts hash hashed before the compiled writer: canonicalize of the applicant without its ID number. */
function reference(value: unknown): string {
  const { idNumber: _omit, ...facts } = value as Record<string, unknown>
  return canonicalJson(facts)
}

/** The reference's text or the error's name, so that both paths must fail alike. */
function outcome(write: (v: unknown) => string, value: unknown): string {
  try {
    return write(value)
  } catch (e) {
    return `threw ${(e as Error).name}`
  }
}

t.test('100,000 seeded applicants (the golden population) write byte-identical canonical JSON', async (t) => {
  const targets = goldenTargets()
  let applicants = 0
  let differing = 0
  let fallbacks = 0
  let first = ''
  for (let i = 0; i < 100_000; i++) {
    const c = goldenCase(i, targets)
    const people =
      c.applicant !== undefined ? [c.applicant] : (c.household as { parents: Applicant[] }).parents
    for (const person of people) {
      const a = ApplicantSchema.parse(person)
      applicants++
      const fast = canonicalFactsJson.fastPath(a)
      if (fast === undefined) fallbacks++
      if (fast !== reference(a)) {
        differing++
        if (first === '') first = `case ${i}: ${fast} ≠ ${reference(a)}`
      }
    }
  }
  t.ok(applicants >= 100_000, `${applicants} applicants`)
  t.equal(fallbacks, 0, 'every parsed applicant is written by the compiled fast path, not the fallback')
  t.equal(differing, 0, first || 'all identical')
})

t.test('generated applicants (the property tests’ arbitraries), with and without ID numbers', async (t) => {
  let withId = 0
  fc.assert(
    fc.property(applicantArbitrary, (a) => {
      if (a.idNumber !== undefined) withId++
      const fast = canonicalFactsJson.fastPath(a)
      return fast !== undefined && fast === reference(a) && canonicalFactsJson(a) === fast
    }),
    { numRuns: 5_000, seed: 20261130 },
  )
  t.ok(withId > 0, 'some carried an ID number, which is left out')
})

t.test('factsSha256 is SHA-256 of the reference text, and leaves the ID number out', async (t) => {
  const samples = fc.sample(applicantArbitrary, { numRuns: 200, seed: 7 })
  for (const a of samples) {
    const expected = createHash('sha256').update(reference(a)).digest('hex')
    if (factsSha256(a) !== expected) t.fail(`hash differs for ${JSON.stringify(a)}`)
  }
  const a = ApplicantSchema.parse({ idNumber: '330212199001011232', birthDate: '1990-01-01' })
  t.notMatch(canonicalFactsJson(a), /idNumber|330212199001011232/)
  t.end()
})

// ---------------------------------------------------------------- the fuzz corpus

/** `items` with a hole after them, as `[...items, , 0]` writes it. */
function withHole(items: unknown[]): unknown[] {
  const out = [...items]
  out.length = items.length + 2
  out[items.length + 1] = 0
  return out
}

/** Hostile values, as the route fuzz test sends them (test/security/fuzz.test.ts), plus what only code can build. */
const ODD_STRINGS = [
  '',
  '\u0000',
  '\u001f',
  '\u007f',
  '"',
  '\\',
  '\ud800',
  '\udfff',
  'a\ud83d',
  '\ud83d\ude00',
  '\ufeff330212',
  '\u202e330212',
  '\u2028\u2029',
  '３３０２１２',
  '2026-04-30\n',
  '</script>',
  'é',
]
const ODD_NUMBERS = [-0, 0.1 + 0.2, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, 2 ** 53 + 2, -1, 1 / 3]
const ODD_THINGS: (() => unknown)[] = [
  () => Number.NaN,
  () => Number.POSITIVE_INFINITY,
  () => undefined,
  () => null,
  () => new Date(0),
  () => Object.create(null),
  () => ({ toJSON: () => 'x' }),
  () => Symbol('s'),
  () => () => 1,
  () => withHole([1, 2]),
  () => [undefined],
  () => ({ a: undefined }),
  () =>
    new (class Fact {
      kind = 'title'
      grade = 'senior'
    })(),
  () => 10n,
]

const hostile: fc.Arbitrary<unknown> = fc.oneof(
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

t.test(
  'the fuzz corpus: hostile values anywhere in an applicant write what canonicalize writes, or fail alike',
  async (t) => {
    const seeds = fc.sample(applicantArbitrary, { numRuns: 50, seed: 11 })
    const mutated = fc
      .tuple(
        fc.constantFrom(...seeds),
        fc.nat(),
        fc.constantFrom('replace' as const, 'delete' as const, 'add' as const),
        fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toJSON', 'idNumber', 'kind', ''), fc.string()),
        hostile,
      )
      .map(([seed, n, kind, key, v]) => {
        const paths = pathsOf(seed)
        return mutate(seed, paths[n % paths.length], { kind, key, v })
      })
    let fallbacks = 0
    const run = fc.check(
      fc.property(mutated, (value) => {
        if (canonicalFactsJson.fastPath(value) === undefined) fallbacks++
        return outcome(canonicalFactsJson, value) === outcome(reference, value)
      }),
      { numRuns: 20_000, seed: 5 },
    )
    // inspect, not JSON: the hostile part is often what JSON cannot show
    t.notOk(run.failed, run.counterexample ? inspect(run.counterexample[0], { depth: 9 }) : 'none failed')
    t.ok(fallbacks > 0, `${fallbacks} hostile values took the fallback`)
    // values that read back from JSON (stored facts) take the fast path like parsed ones
    for (const s of seeds) t.equal(canonicalFactsJson.fastPath(JSON.parse(JSON.stringify(s))), reference(s))
  },
)

t.test('named hostile cases', async (t) => {
  const base = ApplicantSchema.parse({ birthDate: '1990-01-01' })
  const cases: [string, unknown][] = [
    ['an unknown key', { ...base, idNumberHmac: 'ab' }],
    ['a key with an undefined value', { ...base, hukou: undefined }],
    ['a missing key', (({ hukou: _h, ...rest }) => rest)(base)],
    ['an odd string in a district item id', { ...base, districtItems: { 'é"\n': 1, a: true } }],
    [
      '-0 and 1e21 as counts',
      { ...base, cityItems: { ...base.cityItems, yearlyTaxYuan: -0, bloodDonations: 1e21 } },
    ],
    ['NaN', { ...base, cityItems: { ...base.cityItems, publicWelfareHours: Number.NaN } }],
    ['a lone surrogate', { ...base, birthDate: '\ud800' }],
    ['a Date', { ...base, birthDate: new Date(0) }],
    ['a null-prototype object', Object.assign(Object.create(null), base)],
    [
      'an array whose prototype a `__proto__` key replaced',
      { ...base, skills: Object.setPrototypeOf([], {}) },
    ],
    ['a hole in an array', { ...base, records: withHole([{ kind: 'crime', date: '2020-01-01' }]) }],
  ]
  for (const [name, value] of cases)
    t.equal(outcome(canonicalFactsJson, value), outcome(reference, value), name)
  t.equal(
    canonicalFactsJson.fastPath(cases[0][1]),
    undefined,
    'an unknown key is never written by the fast path',
  )
})

t.test(
  'a writer compiled from any schema: unions merge, records sort, odd key names are escaped',
  async (t) => {
    const schema = {
      $ref: '#/$defs/X',
      $defs: {
        X: {
          type: 'object',
          properties: {
            'b"\n\u2028': { type: 'string' },
            é: {
              anyOf: [{ type: 'integer' }, { type: 'null' }, { type: 'array', items: { $ref: '#/$defs/Y' } }],
            },
            a: {
              oneOf: [
                {
                  type: 'object',
                  properties: { kind: { const: 'p' }, n: { type: 'number' } },
                  additionalProperties: false,
                },
                {
                  type: 'object',
                  properties: { kind: { const: 'q' }, s: { type: 'string' } },
                  additionalProperties: false,
                },
              ],
            },
            r: { type: 'object', additionalProperties: { type: ['number', 'boolean'] } },
            free: {},
          },
          additionalProperties: false,
        },
        Y: { type: 'object', properties: { z: { type: 'boolean' } }, additionalProperties: false },
      },
    }
    const write = compileCanonicalWriter(schema, ['a'])
    const writeAll = compileCanonicalWriter(schema)
    const values: unknown[] = [
      {
        'b"\n\u2028': 'x',
        é: 3,
        a: { kind: 'p', n: 1.5 },
        r: { b: 1, a: true, B: 2 },
        free: { y: [1, { b: 1, a: 2 }] },
      },
      { é: null, a: { s: 'q', kind: 'q' }, r: {} },
      { é: [{ z: true }, { z: false }], free: null },
      { é: 'not an integer', r: { a: 'not a number' } },
    ]
    for (const v of values) {
      t.equal(writeAll(v), canonicalJson(v))
      t.equal(write(v), reference2(v))
    }
    t.equal(writeAll.fastPath(values[0]), canonicalJson(values[0]), 'written by the fast path')
    t.equal(writeAll.fastPath(values[3]), undefined, 'a value outside the schema falls back')
  },
)

function reference2(value: unknown): string {
  const { a: _omit, ...rest } = value as Record<string, unknown>
  return canonicalJson(rest)
}
