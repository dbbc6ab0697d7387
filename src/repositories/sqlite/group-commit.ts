// Group commit: the async units of work submitted together share one SQLite transaction on the writer connection.
import type { Database } from 'better-sqlite3'

interface Pending<Tx> {
  work: (tx: Tx) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown }

/** A unit's tx: `end()` makes every later call on it throw (a unit that leaked a promise). */
export interface UnitTx<Tx> {
  tx: Tx
  end(): void
}

/**
 * Why a batch: a commit costs more than the rows it writes (the WAL frames of every page it touched
 * are written again for each transaction). Under load, many official records arrive together;
 * writing them in one transaction writes the shared pages once.
 *
 * Why not better-sqlite3's `transaction()`: it takes a synchronous function, and an async one would
 * commit at its first await and never roll back. Here the statements are issued by hand: BEGIN
 * IMMEDIATE, then for each unit SAVEPOINT, `await work(tx)`, RELEASE (or ROLLBACK TO when it threw,
 * after an await too), and COMMIT once every unit of the batch has finished. The tx methods are
 * synchronous underneath, so a unit that awaits only them finishes within its batch.
 *
 * Only this committer writes on its connection; every read outside a unit runs on another
 * connection (sqlite/database.ts), which sees committed data only (WAL snapshot). So no request
 * ever reads another unit's uncommitted rows, even while a unit awaits.
 *
 * What callers can rely on, exactly as with one transaction per unit of work:
 * - a unit's promise settles only after the transaction holding its writes has committed (or failed),
 *   so nothing is acknowledged that a crash could lose;
 * - each unit is atomic on its own: a unit that throws rolls back its own writes and rejects alone,
 *   while the others in the batch commit;
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
  /** the batch loop, while one runs */
  private running: Promise<void> | null = null

  constructor(
    private readonly sqlite: Database,
    private readonly newTx: () => UnitTx<Tx>,
    /** units per transaction at most, so one huge burst does not hold the write lock for long */
    private readonly maxBatch = 256,
  ) {}

  submit<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject })
      if (!this.scheduled && this.running === null) {
        this.scheduled = true
        // after the I/O callbacks of this turn, which are where concurrent requests submit their work
        setImmediate(() => this.start())
      }
    })
  }

  /** Commits everything submitted so far; before closing the connection. */
  async drain(): Promise<void> {
    while (this.running !== null || this.queue.length > 0) {
      if (this.running === null) this.start()
      await this.running
    }
  }

  private start(): void {
    this.scheduled = false
    if (this.running !== null) return
    this.running = this.loop().finally(() => {
      this.running = null
      // units submitted while the last batch committed
      if (this.queue.length > 0 && !this.scheduled) {
        this.scheduled = true
        setImmediate(() => this.start())
      }
    })
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch)
      await this.runBatch(batch)
    }
  }

  private async runBatch(batch: Pending<Tx>[]): Promise<void> {
    if (!this.sqlite.open) {
      for (const p of batch) p.reject(new Error('the database is closed'))
      return
    }
    try {
      this.sqlite.exec('BEGIN IMMEDIATE')
    } catch (error) {
      for (const p of batch) p.reject(error)
      return
    }
    const outcomes: Outcome[] = []
    try {
      for (const p of batch) outcomes.push(await this.runUnit(p))
      this.sqlite.exec('COMMIT')
    } catch (error) {
      // the commit failed (or a savepoint statement did): nothing of the batch is kept
      if (this.sqlite.open && this.sqlite.inTransaction) this.sqlite.exec('ROLLBACK')
      for (const p of batch) p.reject(error)
      return
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]
      if (o.ok) p.resolve(o.value)
      else p.reject(o.error)
    })
  }

  private async runUnit(p: Pending<Tx>): Promise<Outcome> {
    this.sqlite.exec('SAVEPOINT unit')
    const unit = this.newTx()
    try {
      const value = await p.work(unit.tx)
      unit.end()
      this.sqlite.exec('RELEASE unit')
      return { ok: true, value }
    } catch (error) {
      unit.end()
      this.sqlite.exec('ROLLBACK TO unit')
      this.sqlite.exec('RELEASE unit')
      return { ok: false, error }
    }
  }
}
