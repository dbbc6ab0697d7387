// The configuration the page's tests run the app with: no rate limit and no load shedding, so that a busy CI machine changes no answer.
import type { Config } from '../../src/config.ts'

/**
 * The tests send hundreds of previews from one address, and CI shares its cores with other work: with
 * the defaults, the rate limit (120 a minute) or the event-loop check (503 after 1 s of delay) would
 * answer instead of the page's code. Neither is what these tests are about (test/security covers them).
 */
export const STEADY: Partial<Config> = {
  rateLimitMax: 0,
  pressureMaxEventLoopDelayMs: 0,
  pressureMaxHeapUsedBytes: 0,
  pressureMaxRssBytes: 0,
}
