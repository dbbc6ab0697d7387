// The one-pass canonical writer of stored objects against the round trip it replaces (JSON text, parsed, canonicalised).
import fc from 'fast-check'
import t from 'tap'
import { canonicalJson } from '../../scoring/hash.ts'
import { storedCanonicalJson } from '../../src/security/object-hashes.ts'

const roundTrip = (v: unknown): string => canonicalJson(JSON.parse(JSON.stringify(v)))

t.test(
  'the same text as canonicalising the JSON round trip, on what JSON.stringify treats specially',
  async (t) => {
    const values: unknown[] = [
      {
        b: 1,
        a: [1, undefined, () => 1, Symbol('s'), Number.NaN, Number.POSITIVE_INFINITY, -0],
        c: undefined,
      },
      { f: () => 1, s: Symbol('s'), n: Number.NEGATIVE_INFINITY, d: new Date(Date.UTC(2026, 0, 2)) },
      { toJSON: (key: string) => ({ key, z: 1, y: 2 }) },
      { nested: { toJSON: (key: string) => `key ${key}` }, list: [{ toJSON: (key: string) => key }] },
      { '10': 1, '9': 2, b: 3, B: 4, é: 5, '\u{1F600}': 6, '\uFFFF': 7, '': 8 },
      { lone: '\uD800', quote: '"\\\n\u0000', 中: '宁波' },
      [[], {}, null, true, false, 0, 1e21, 1e-7, 123.456, -1.5],
      Object.create(null, { b: { value: 1, enumerable: true }, a: { value: 2, enumerable: true } }),
      { hidden: Object.defineProperty({ shown: 1 }, 'hidden', { value: 2, enumerable: false }) },
      'text',
      42,
      null,
    ]
    for (const v of values) t.equal(storedCanonicalJson(v), roundTrip(v))
    t.throws(() => storedCanonicalJson(undefined), 'top-level undefined, as JSON.parse refused it')
    t.throws(() => storedCanonicalJson({ n: 1n }), 'a bigint, as JSON.stringify refuses it')
  },
)

t.test('the same text as the round trip on arbitrary JSON-like values', async (t) => {
  fc.assert(
    fc.property(
      fc.anything({
        withBoxedValues: false,
        withMap: false,
        withSet: false,
        withBigInt: false,
        withDate: true,
        withTypedArray: true,
        withSparseArray: true,
        withNullPrototype: true,
        withObjectString: true,
      }),
      (v) => v === undefined || storedCanonicalJson(v) === roundTrip(v),
    ),
    { numRuns: 2000 },
  )
  t.pass('2,000 values alike')
})
