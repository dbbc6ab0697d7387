// Exact points arithmetic: points are held as integers of 1/10,000 point, so 0.2 × 37 is exactly 7.4.

/** Scale of the fixed-point representation: tables allow at most 4 decimal places. */
export const SCALE = 10_000

/** Table value (a decimal with ≤ 4 places) to scaled integer. */
export function toScaled(points: number): number {
  return Math.round(points * SCALE)
}

/**
 * Scaled integer back to a JSON number. Dividing an exact integer by 10^4 gives the double nearest
 * the decimal, whose shortest printed form is that decimal (74000 → 7.4).
 */
export function fromScaled(scaled: number): number {
  return scaled / SCALE
}

/** Decimal to integer 1/10,000s, so that 1.13 hours is 11300 and not 11299.999… */
function scaleValue(x: number): number {
  return Math.round(x * SCALE)
}

/**
 * `value` units at `scaledPoints` per `per` units, in 1/10,000 points: whole `per` blocks only, or
 * pro-rated (truncated to 1/10,000). Value and `per` are scaled to integers first, so that 1.13
 * hours at 1 point per hour is 1.13 and 0.6 hours in 0.2-hour blocks is 3 blocks.
 */
export function perUnitScaled(value: number, scaledPoints: number, per: number, prorated: boolean): number {
  if (!(value > 0)) return 0
  const v = scaleValue(value)
  const q = scaleValue(per)
  if (!prorated) return Math.floor(v / q) * scaledPoints
  const product = v * scaledPoints
  if (Number.isSafeInteger(product)) {
    // integer division: correct the float quotient when it rounded up across an integer
    let r = Math.floor(product / q)
    if (r * q > product) r--
    return r
  }
  return Number((BigInt(v) * BigInt(scaledPoints)) / BigInt(q))
}

/**
 * `String(fromScaled(scaled))`, written from the integer: the same text (a decimal of at most 4
 * places is what the division prints), without converting a fractional double to text, which
 * V8 does slowly. Beyond 15 digits, or for a non-integer, it is the division's own text.
 */
export function scaledText(scaled: number): string {
  if (scaled % SCALE === 0 || !(scaled > -1e15 && scaled < 1e15) || scaled !== Math.trunc(scaled))
    return `${scaled / SCALE}`
  const negative = scaled < 0
  const a = negative ? -scaled : scaled
  let fraction = a % SCALE
  // 4 places, trailing zeros dropped: 2500 → .25, 5 → .0005
  let places = 4
  while (fraction % 10 === 0) {
    fraction /= 10
    places--
  }
  const digits = `${fraction}`
  return `${negative ? '-' : ''}${(a - (a % SCALE)) / SCALE}.${'000'.slice(0, places - digits.length)}${digits}`
}
