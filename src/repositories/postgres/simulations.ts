// Policy simulations in PostgreSQL: inserted running, finished once (triggers refuse any other change).
import { sql } from 'drizzle-orm'
import { type NewSimulation, type SimulationEnd, toSimulation } from '../sqlite/simulations.ts'
import type { SimulationRepository, StoredSimulation } from '../types.ts'
import type { PgDb } from './db.ts'

type Row = Record<string, unknown>

export class PgSimulationRepository implements SimulationRepository {
  constructor(private readonly db: PgDb) {}

  async get(id: string): Promise<StoredSimulation | null> {
    const [row] = (await this.db.execute<Row>(sql`SELECT * FROM simulations WHERE id = ${id}`)).rows
    return row ? toSimulation(row) : null
  }

  async stale(before: string): Promise<string[]> {
    const rows = (
      await this.db.execute<Row>(
        sql`SELECT id FROM simulations WHERE state = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < ${before}) ORDER BY id`,
      )
    ).rows
    return rows.map((x) => x.id as string)
  }

  async insertInTx(tx: PgDb, s: NewSimulation): Promise<void> {
    await tx.execute(sql`INSERT INTO simulations (id, created_at, created_by, inputs_sha256, inputs_json, total, state, owner, heartbeat_at)
      VALUES (${s.id}, ${s.createdAt}, ${s.createdBy}, ${s.inputsSha256}, ${JSON.stringify(s.inputs)}, ${s.total}, 'running', ${s.owner ?? null}, ${s.createdAt})`)
  }

  async heartbeatInTx(tx: PgDb, ids: readonly string[], owner: string, at: string): Promise<string[]> {
    const moved: string[] = []
    for (const id of ids) {
      const r = await tx.execute(sql`UPDATE simulations SET heartbeat_at = ${at}
        WHERE id = ${id} AND owner = ${owner} AND state = 'running'`)
      if (r.rowCount === 1) moved.push(id)
    }
    return moved
  }

  async finishInTx(tx: PgDb, id: string, end: SimulationEnd, at: string): Promise<boolean> {
    const r = await tx.execute(sql`UPDATE simulations SET state = ${end.state},
      report_json = ${end.state === 'completed' ? JSON.stringify(end.report) : null},
      failure = ${end.state === 'failed' ? end.failure : null}, finished_at = ${at}
      WHERE id = ${id} AND state = 'running'`)
    return r.rowCount === 1
  }
}
