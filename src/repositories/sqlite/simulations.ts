// Policy simulations in SQLite: inserted running, finished once (triggers refuse any other change).
import type { Database } from 'better-sqlite3'
import type { SimulationRepository, StoredSimulation } from '../types.ts'

type Row = Record<string, unknown>

/** A row as the repository gives it (shared with PostgreSQL, whose rows have the same columns). */
export function toSimulation(r: Row): StoredSimulation {
  return {
    id: r.id as string,
    createdAt: r.created_at as string,
    createdBy: r.created_by as string,
    inputsSha256: r.inputs_sha256 as string,
    inputs: JSON.parse(r.inputs_json as string) as unknown,
    total: Number(r.total),
    state: r.state as StoredSimulation['state'],
    report: r.report_json === null ? null : (JSON.parse(r.report_json as string) as unknown),
    failure: (r.failure as string | null) ?? null,
    finishedAt: (r.finished_at as string | null) ?? null,
    owner: (r.owner as string | null) ?? null,
    heartbeatAt: (r.heartbeat_at as string | null) ?? null,
  }
}

export type NewSimulation = Omit<
  StoredSimulation,
  'report' | 'failure' | 'finishedAt' | 'state' | 'owner' | 'heartbeatAt'
> & { owner?: string | null }
export type SimulationEnd = { state: 'completed'; report: unknown } | { state: 'failed'; failure: string }

export class SqliteSimulationRepository implements SimulationRepository {
  /** the raw connections: the writer's statements run in its open transaction */
  constructor(
    private readonly r: Database,
    private readonly w: Database,
  ) {}

  async get(id: string): Promise<StoredSimulation | null> {
    const row = this.r.prepare('SELECT * FROM simulations WHERE id = ?').get(id) as Row | undefined
    return row ? toSimulation(row) : null
  }

  async stale(before: string): Promise<string[]> {
    const rows = this.r
      .prepare(
        "SELECT id FROM simulations WHERE state = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < ?) ORDER BY id",
      )
      .all(before) as Row[]
    return rows.map((x) => x.id as string)
  }

  insertInTx(s: NewSimulation): void {
    this.w
      .prepare(
        `INSERT INTO simulations (id, created_at, created_by, inputs_sha256, inputs_json, total, state, owner, heartbeat_at)
         VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
      )
      .run(
        s.id,
        s.createdAt,
        s.createdBy,
        s.inputsSha256,
        JSON.stringify(s.inputs),
        s.total,
        s.owner ?? null,
        s.createdAt,
      )
  }

  heartbeatInTx(ids: readonly string[], owner: string, at: string): string[] {
    const beat = this.w.prepare(
      "UPDATE simulations SET heartbeat_at = ? WHERE id = ? AND owner = ? AND state = 'running'",
    )
    return ids.filter((id) => beat.run(at, id, owner).changes === 1)
  }

  finishInTx(id: string, end: SimulationEnd, at: string): boolean {
    const r = this.w
      .prepare(
        `UPDATE simulations SET state = ?, report_json = ?, failure = ?, finished_at = ?
         WHERE id = ? AND state = 'running'`,
      )
      .run(
        end.state,
        end.state === 'completed' ? JSON.stringify(end.report) : null,
        end.state === 'failed' ? end.failure : null,
        at,
        id,
      )
    return r.changes === 1
  }
}
