// Simulations on several instances of one database: owner and heartbeat, only stale jobs failed (at start, by a sweep, at stop), and the triggers that let only the heartbeat move while one runs.
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import type { Clock } from '../../src/clock.ts'
import { SimulationService } from '../../src/services/simulation.ts'
import { openRaw, type RawDb } from '../backend.ts'
import {
  applicant,
  authHeaders,
  build,
  json,
  NOW,
  pollSimulation,
  residenceCap20Draft,
  tempDatabase,
  until,
} from '../helper.ts'

type Auth = Record<string, string>

const body = {
  asOf: '2026-04-30',
  jurisdiction: '330212',
  thresholds: [107],
  draft: { table: residenceCap20Draft() },
  population: { source: 'upload', applicants: [applicant(), applicant()] },
}

const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString()

/** A clock the test moves by hand. */
function handClock(iso: string): Clock & { set(iso: string): void } {
  let now = new Date(iso)
  return {
    now: () => now,
    set: (x) => {
      now = new Date(x)
    },
  }
}

/**
 * Holds every simulation job of this process before it computes, until released: a job that runs
 * as long as the test needs, whatever the machine's speed. Undone at the test's end.
 */
function holdJobs(t: Test): () => void {
  const compute = SimulationService.compute
  let release!: () => void
  const held = new Promise<void>((r) => {
    release = r
  })
  SimulationService.compute = async (...args) => {
    await held
    return compute(...args)
  }
  t.teardown(() => {
    release()
    SimulationService.compute = compute
  })
  return release
}

async function row(raw: RawDb, id: string) {
  const [r] = await raw.all<{
    state: string
    owner: string | null
    heartbeat_at: string | null
    failure: string
  }>('SELECT state, owner, heartbeat_at, failure FROM simulations WHERE id = ?', [id])
  return r
}

async function get(app: FastifyInstance, auth: Auth, id: string) {
  return json(await app.inject({ method: 'GET', url: `/v1/simulations/${id}`, headers: auth }))
}

async function auditActions(app: FastifyInstance, auth: Auth, id: string): Promise<string[]> {
  const audit = json(await app.inject({ method: 'GET', url: '/v1/audit?limit=1000', headers: auth }))
  // biome-ignore lint/suspicious/noExplicitAny: entries read loosely
  return audit.entries.filter((e: any) => e.objectId === id).map((e: any) => e.action)
}

/** The record an instance that died wrote: running, owned, its last heartbeat `heartbeatAt`. */
async function orphan(raw: RawDb, id: string, heartbeatAt: string) {
  await raw.run(
    `INSERT INTO simulations (id, created_at, created_by, inputs_sha256, inputs_json, total, state, owner, heartbeat_at)
     VALUES (?, ?, 'test', ?, '{}', 1, 'running', 'instance-gone', ?)`,
    [id, heartbeatAt, 'a'.repeat(64), heartbeatAt],
  )
}

t.test(
  'two instances on one database: a live one’s job is not failed by the other’s start, a dead one’s is',
  async (t) => {
    const database = await tempDatabase(t)
    const release = holdJobs(t)
    const clockA = handClock(NOW)
    const a = await build(t, {
      config: { ...database, simulationHeartbeatMs: 20, simulationStaleMs: 60_000 },
      clock: clockA,
      instanceId: 'instance-a',
    })
    const adminA = await authHeaders(a, ['admin'])
    const res = await a.inject({ method: 'POST', url: '/v1/simulations', headers: adminA, payload: body })
    t.equal(res.statusCode, 202, res.body)
    const id = json(res).id
    const raw = await openRaw(t, database)
    t.same(await row(raw, id), { state: 'running', owner: 'instance-a', heartbeat_at: NOW, failure: null })

    // instance A's heartbeat moves while its job runs (A's clock moved 30 s)
    clockA.set(at(30_000))
    await until('the heartbeat moved', async () => (await row(raw, id)).heartbeat_at === at(30_000))

    // a record an instance that is gone left: its last heartbeat 10 minutes ago
    await orphan(raw, 'sim-dead', at(-600_000))

    // instance B starts 40 s later: staleness is a heartbeat older than 60 s, so before NOW - 20 s:
    // A's job (heartbeat NOW + 30 s) is live and left alone, the dead one's (NOW - 10 min) is failed
    const b = await build(t, {
      config: { ...database, simulationHeartbeatMs: 20, simulationStaleMs: 60_000 },
      clock: handClock(at(40_000)),
      instanceId: 'instance-b',
    })
    const adminB = await authHeaders(b, ['admin'])
    t.equal((await get(b, adminB, id)).state, 'running', 'the live instance’s job runs on')
    // (read raw: the dead record's inputs are a stub the API's response schema would not pass)
    const dead = await row(raw, 'sim-dead')
    t.equal(dead.state, 'failed', 'the dead instance’s job is failed')
    t.match(dead.failure, /instance stopped/)
    t.match(dead.failure, at(-20_000), 'the reason names the cut-off')
    t.same(await auditActions(b, adminB, 'sim-dead'), ['simulation.failed'], 'audited as before')
    t.same(await auditActions(b, adminB, id), ['simulation.created'])

    // the live job finishes on its own instance, completed
    release()
    const done = await pollSimulation(b, adminB, `/v1/simulations/${id}`)
    t.equal(done.state, 'completed')
    t.equal(done.report.applicants, 2)
    t.same(await auditActions(b, adminB, id), ['simulation.created', 'simulation.completed'])
  },
)

t.test(
  'a job whose heartbeat went stale is failed by a sweep; its instance stops it and writes nothing over it',
  async (t) => {
    const database = await tempDatabase(t)
    const release = holdJobs(t)
    const a = await build(t, {
      config: { ...database, simulationHeartbeatMs: 20, simulationStaleMs: 60_000 },
      // A's clock stands still: its heartbeats say NOW, a lagging instance
      clock: handClock(NOW),
      instanceId: 'instance-a',
    })
    const adminA = await authHeaders(a, ['admin'])
    const res = await a.inject({ method: 'POST', url: '/v1/simulations', headers: adminA, payload: body })
    t.equal(res.statusCode, 202, res.body)
    const id = json(res).id
    const clockB = handClock(at(1_000))
    const b = await build(t, {
      config: { ...database, simulationHeartbeatMs: 20, simulationStaleMs: 60_000 },
      clock: clockB,
      instanceId: 'instance-b',
    })
    const adminB = await authHeaders(b, ['admin'])
    t.equal((await get(b, adminB, id)).state, 'running', 'fresh at B’s start')
    // B's periodic sweep (run by hand here) a minute and more later: A's heartbeat is stale
    clockB.set(at(61_001))
    t.same(await b.jifen.services().simulations.failStale(), [id])
    t.same(await b.jifen.services().simulations.failStale(), [], 'once')
    const raw = await openRaw(t, database)
    t.equal((await row(raw, id)).state, 'failed')
    // A's next heartbeat finds its record no longer running: its job stops without writing
    release()
    await until('A dropped the job', async () => {
      const s = await get(a, adminA, id)
      return s.state === 'failed' && s.progress.done === 0
    })
    await new Promise((r) => setTimeout(r, 100))
    const after = await get(b, adminB, id)
    t.equal(after.state, 'failed')
    t.match(after.failure, /instance stopped/)
    t.same(await auditActions(b, adminB, id), ['simulation.created', 'simulation.failed'])
  },
)

t.test('an instance that stops fails its own running jobs, with the reason', async (t) => {
  const database = await tempDatabase(t)
  const release = holdJobs(t)
  const a = await build(t, { config: database, instanceId: 'instance-a' })
  const admin = await authHeaders(a, ['admin'])
  const res = await a.inject({ method: 'POST', url: '/v1/simulations', headers: admin, payload: body })
  t.equal(res.statusCode, 202, res.body)
  const id = json(res).id
  const stopped = a.jifen.services().simulations.stop()
  release()
  await stopped
  const raw = await openRaw(t, database)
  const r = await row(raw, id)
  t.equal(r.state, 'failed')
  t.match(r.failure, /the service stopped/)
})

t.test('while a simulation runs only its heartbeat moves; once finished nothing does', async (t) => {
  const database = await tempDatabase(t)
  const app = await build(t, { config: database })
  await app.close()
  const raw = await openRaw(t, database)
  await orphan(raw, 'sim-1', NOW)
  const refused = async (q: string, params: unknown[], what: string) => {
    try {
      await raw.run(q, params)
      t.fail(`${what} was allowed`)
    } catch (e) {
      t.match(String(e), /JIFEN_IMMUTABLE/, what)
    }
  }
  await raw.run("UPDATE simulations SET heartbeat_at = ? WHERE id = 'sim-1'", [at(5_000)])
  t.equal((await row(raw, 'sim-1')).heartbeat_at, at(5_000), 'the heartbeat moves')
  await refused("UPDATE simulations SET heartbeat_at = NULL WHERE id = 'sim-1'", [], 'heartbeat to nothing')
  await refused("UPDATE simulations SET owner = 'someone-else' WHERE id = 'sim-1'", [], 'another owner')
  await refused("UPDATE simulations SET total = 2 WHERE id = 'sim-1'", [], 'the size while running')
  await refused(
    "UPDATE simulations SET inputs_sha256 = ?, heartbeat_at = ? WHERE id = 'sim-1'",
    ['b'.repeat(64), at(6_000)],
    'the inputs hash with a heartbeat',
  )
  await refused("UPDATE simulations SET report_json = '{}' WHERE id = 'sim-1'", [], 'a report while running')
  await refused(
    "UPDATE simulations SET state = 'failed', failure = 'x', finished_at = ?, heartbeat_at = ? WHERE id = 'sim-1'",
    [at(7_000), at(7_000)],
    'a heartbeat with the finish',
  )
  await raw.run(
    "UPDATE simulations SET state = 'failed', failure = 'x', finished_at = ? WHERE id = 'sim-1'",
    [at(7_000)],
  )
  await refused(
    "UPDATE simulations SET heartbeat_at = ? WHERE id = 'sim-1'",
    [at(8_000)],
    'a heartbeat once failed',
  )
  await refused(
    "UPDATE simulations SET state = 'running', failure = NULL, finished_at = NULL",
    [],
    'back to running',
  )
  await refused("DELETE FROM simulations WHERE id = 'sim-1'", [], 'a delete')
  t.same(await row(raw, 'sim-1'), {
    state: 'failed',
    owner: 'instance-gone',
    heartbeat_at: at(5_000),
    failure: 'x',
  })
})
