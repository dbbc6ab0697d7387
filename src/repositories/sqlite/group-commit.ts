// Group commit: the units of work that arrive in one turn of the event loop share one SQLite transaction.
import type { Database } from 'better-sqlite3'

interface Pending<Tx> {
  work: (tx: Tx) => unknown
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

/**
 * Why: a commit costs more than the rows it writes (the WAL frames of every page it touched, the
 * table's and each index's, are written again for each transaction). Under load, many official
 * records arrive together; writing them in one transaction writes the shared pages once.
 *
 * What callers can rely on, exactly as with one transaction per unit of work:
 * - a unit's promise resolves only after the transaction holding its writes has committed, so
 *   nothing is acknowledged that a crash could lose;
 * - each unit is atomic on its own: it runs inside a SAVEPOINT, so a unit that throws rolls back
 *   its own writes and rejects alone, while the others in the batch commit;
 * - units run one after another in the order they were submitted, each seeing the writes of the
 *   units before it (the next reference number, the last audit entry, a saved idempotency key);
 * - if the commit itself fails (disk full, I/O error), every unit of the batch rejects with it.
 *
 * The transaction is IMMEDIATE: the write lock is taken before the first unit reads anything, so
 * another process writing the same file cannot interleave.
 */
export class GroupCommitter<Tx> {
  private queue: Pending<Tx>[] = []
  private scheduled = false

  constructor(
    private readonly sqlite: Database,
    private readonly tx: Tx,
    /** units per transaction at most, so one huge burst does not hold the write lock for long */
    private readonly maxBatch = 256,
  ) {}

  submit<T>(work: (tx: Tx) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject })
      if (!this.scheduled) {
        this.scheduled = true
        // after the I/O callbacks of this turn, which are where concurrent requests submit their work
        setImmediate(() => this.flush())
      }
    })
  }

  /** Commits everything submitted so far, now; before closing the connection. */
  drain(): void {
    while (this.queue.length > 0) this.flush()
  }

  private flush(): void {
    this.scheduled = false
    const batch = this.queue.splice(0, this.maxBatch)
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true
      setImmediate(() => this.flush())
    }
    if (batch.length === 0 || !this.sqlite.open) {
      for (const p of batch) p.reject(new Error('the database is closed'))
      return
    }
    let outcomes: Outcome[]
    try {
      outcomes = this.sqlite
        .transaction(() =>
          batch.map((p): Outcome => {
            try {
              // a transaction function called inside another runs as a SAVEPOINT: released on
              // return, rolled back (alone) when it throws
              return { ok: true, value: this.sqlite.transaction(() => p.work(this.tx))() }
            } catch (error) {
              return { ok: false, error }
            }
          }),
        )
        .immediate()
    } catch (error) {
      for (const p of batch) p.reject(error)
      return
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]
      if (o.ok) p.resolve(o.value)
      else p.reject(o.error)
    })
  }
}
