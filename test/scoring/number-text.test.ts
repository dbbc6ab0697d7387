// The explain() number writers (scaledText, numberText) write exactly what a template literal writes of the same number.
import t from 'tap'
import { numberText } from '../../scoring/conditions.ts'
import { fromScaled, SCALE, scaledText } from '../../scoring/exact.ts'

t.test(
  'scaledText(s) is the text of fromScaled(s) for every scaled integer a table or a total can give',
  async (t) => {
    let checked = 0
    let wrong = 0
    const check = (s: number) => {
      checked++
      if (scaledText(s) !== `${fromScaled(s)}`) wrong++
    }
    // every 1/10,000 point from -20 to 200 points: fractions of one to four places, zeros inside them
    for (let s = -20 * SCALE; s <= 200 * SCALE; s++) check(s)
    // large totals up to 15 digits, and beyond (the division's own text), from a seeded generator
    let seed = 20220401
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (let k = 0; k < 200_000; k++) {
      const s = Math.floor(next() * 10 ** (1 + (k % 17)))
      check(s)
      check(-s)
    }
    for (const s of [
      -0,
      1e15 - 1,
      1e15,
      1e15 + 1,
      -(1e15 - 1),
      Number.MAX_SAFE_INTEGER,
      0.5,
      -2.5,
      Number.NaN,
    ])
      check(s)
    t.equal(wrong, 0, `${checked} numbers, ${wrong} written differently`)
    // the cases by hand: a quarter point, a tenth, a ten-thousandth, a negative fraction
    t.equal(scaledText(92500), '9.25')
    t.equal(scaledText(1000), '0.1')
    t.equal(scaledText(1), '0.0001')
    t.equal(scaledText(-25000), '-2.5')
    t.equal(scaledText(700000), '70')
  },
)

t.test(
  'numberText(v) is the text of v for whole numbers, fractions, -0 and numbers past 32 bits',
  async (t) => {
    const values = [
      0,
      -0,
      1,
      37,
      140,
      -3,
      0.5,
      9.25,
      2 ** 31,
      -(2 ** 31),
      2 ** 31 - 1,
      2 ** 32 + 5,
      1e21,
      1e-7,
    ]
    for (let v = -1000; v <= 5000; v++) values.push(v)
    for (const v of values) t.equal(numberText(v), `${v}`, `${v}`)
  },
)
