// The service's notion of "now" and "today": injectable so tests can fix the date.

export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock stopped at one instant (tests, tools). */
export function fixedClock(iso: string): Clock {
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) throw new Error(`not an instant: ${iso}`)
  return { now: () => at }
}

// The service works on China Standard Time (UTC+8, no daylight saving): a request made at 01:00 in
// Ningbo on 1 May must see 1 May as today, although it is still 30 April in UTC.
const CST_OFFSET_MS = 8 * 3_600_000

/** Today's calendar date in China Standard Time, YYYY-MM-DD. */
export function todayOf(clock: Clock): string {
  return new Date(clock.now().getTime() + CST_OFFSET_MS).toISOString().slice(0, 10)
}
