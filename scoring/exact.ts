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

/** `value` units at `scaledPoints` per `per` units; whole blocks only, or pro-rated (truncated to 1/10,000). */
export function perUnitScaled(value: number, scaledPoints: number, per: number, prorated: boolean): number {
  if (!(value > 0)) return 0
  if (!prorated) return Math.floor(value / per) * scaledPoints
  return Math.floor((value * scaledPoints) / per)
}
