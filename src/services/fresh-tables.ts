// The tables-in-force check before each request that scores, one read shared by the requests that ask in the same turn of the event loop.
import type { RulesetService } from './rulesets.ts'

type Done = (err?: Error) => void

/**
 * Runs `done` once the tables are those in force, read after the request asked. Requests that ask
 * before the scheduled read runs share it: the read still comes after each of them arrived, so a
 * publication or retirement committed before a request is seen by it, as with a read per request.
 * On SQLite the read takes the WAL's shared-memory lock (system calls), and under load one read per
 * request was the largest cost the app added to a preview.
 */
export class SharedFreshness {
  private waiting: Done[] | null = null

  constructor(
    private readonly rulesets: Pick<RulesetService, 'freshNow' | 'ensureFresh'>,
    /** when the shared read runs: after the requests of this turn (tests step it by hand) */
    private readonly schedule: (run: () => void) => void = setImmediate,
  ) {}

  whenFresh(done: Done): void {
    if (this.waiting !== null) {
      this.waiting.push(done)
      return
    }
    this.waiting = [done]
    this.schedule(() => this.check())
  }

  private check(): void {
    const batch = this.waiting ?? []
    this.waiting = null
    const finish = (err?: Error) => {
      for (const d of batch) d(err)
    }
    let fresh: boolean
    try {
      fresh = this.rulesets.freshNow()
    } catch (err) {
      finish(err as Error)
      return
    }
    if (fresh) finish()
    else this.rulesets.ensureFresh().then(() => finish(), finish)
  }
}
