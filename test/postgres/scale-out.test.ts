// Scale-out on PostgreSQL, with real processes: two instances, 2,000 concurrent official evaluations with repeated Idempotency-Keys, then one instance killed with SIGKILL mid-load.
import t from 'tap'
import { openStorage } from '../../src/repositories/open.ts'
import { freshPgDatabase } from '../backend.ts'
import { requestFor } from '../security/crash-writer.ts'
import { type Instance, instanceEnv, jifenCli, pooled, startInstance } from './processes.ts'

// npm ci and builds, or real processes under load: longer than .taprc's 600 s on a loaded machine
t.setTimeout(2_400_000)

/** mulberry32: a seeded order, so that a failing interleaving can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32
  }
}

interface Answer {
  key: string
  status: number
  id: string | null
  reference: string | null
  body: string
  instance: number
}

async function post(
  instance: Instance,
  n: number,
  auth: string,
  key: string,
  body: unknown,
): Promise<Answer> {
  const res = await fetch(`${instance.base}/v1/points/evaluations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}`, 'idempotency-key': key },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  const parsed = res.status === 201 ? (JSON.parse(text) as { id: string; reference: string }) : null
  return {
    key,
    status: res.status,
    id: parsed?.id ?? null,
    reference: parsed?.reference ?? null,
    body: text,
    instance: n,
  }
}

const TOTAL = 2000
/** 1,501 keys for 2,000 requests: keys 0–498 are sent twice, once to each instance, in a shuffled order */
const KEYS = 1501
const SEED = 20261130

t.test('two instances on one PostgreSQL database', async (tt) => {
  tt.setTimeout(900_000)
  const url = await freshPgDatabase(tt)
  const env = instanceEnv(url)
  const made = jifenCli(['keys', 'create', '--name', 'scale-out', '--scopes', 'police,auditor'], env)
  tt.equal(made.code, 0, made.err)
  const auth = made.out.trim()
  // started together: migrations run once, under the advisory lock
  const instances = await Promise.all([startInstance(tt, env), startInstance(tt, env)])

  await tt.test('2,000 concurrent official evaluations, repeated Idempotency-Keys mixed in', async (t2) => {
    const rand = random(SEED)
    const order = Array.from({ length: TOTAL }, (_, i) => i)
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1))
      ;[order[i], order[j]] = [order[j], order[i]]
    }
    const answers = await pooled(
      order.map((i) => () => {
        const k = i % KEYS
        return post(instances[i % 2], i % 2, auth, `scale-${k}`, requestFor(k))
      }),
      100,
    )
    const failed = answers.filter((a) => a.status !== 201)
    t2.equal(failed.length, 0, `every request answered 201 ${failed[0]?.body.slice(0, 300) ?? ''}`)
    t2.ok(
      answers.some((a) => a.instance === 0) && answers.some((a) => a.instance === 1),
      'both instances served',
    )
    const byKey = new Map<string, Set<string>>()
    for (const a of answers) byKey.set(a.key, (byKey.get(a.key) ?? new Set()).add(a.id ?? ''))
    t2.equal(byKey.size, KEYS)
    t2.equal(
      [...byKey.values()].filter((ids) => ids.size !== 1).length,
      0,
      'each Idempotency-Key got one record, the same to every request that carried it',
    )
    const references = [...new Set(answers.map((a) => a.reference))].sort()
    t2.same(
      references,
      Array.from(
        { length: KEYS },
        (_, i) => `JF-${references[0]?.slice(3, 7)}-${String(i + 1).padStart(6, '0')}`,
      ),
      'references unique and gapless, 1…1,501',
    )
    const storage = await openStorage({ dbPath: ':memory:', databaseUrl: url })
    t2.teardown(() => storage.close())
    let records = 0
    for await (const _r of storage.records.all()) records++
    t2.equal(records, KEYS, 'exactly one stored record per Idempotency-Key')
    const verify = jifenCli(['audit', 'verify', '--json'], env)
    t2.equal(verify.code, 0, verify.out + verify.err)
    t2.match(JSON.parse(verify.out), { ok: true }, 'jifen audit verify: the chain is intact')
  })

  await tt.test(
    'one instance killed with SIGKILL mid-load: no acknowledged record lost, the other serves on',
    async (t2) => {
      const [victim, survivor] = instances
      const acked: Answer[] = []
      let killed = false
      const KILL_AFTER = 60
      const jobs = Array.from({ length: 600 }, (_, i) => async () => {
        const key = `kill-${i}`
        const body = requestFor(2000 + i)
        const target = i % 2 === 0 && !killed ? 0 : 1
        let a: Answer
        try {
          a = await post(instances[target], target, auth, key, body)
        } catch {
          // the killed instance's connection broke: the client retries elsewhere with the same key,
          // as a load balancer or a counter system would
          a = await post(survivor, 1, auth, key, body)
        }
        if (a.status === 201) {
          acked.push(a)
          if (a.instance === 0 && !killed && acked.filter((x) => x.instance === 0).length >= KILL_AFTER) {
            killed = true
            victim.child.kill('SIGKILL')
          }
        }
        return a
      })
      const answers = await pooled(jobs, 50)
      t2.ok(killed, 'the victim was killed during the load')
      t2.same((await victim.exited).signal, 'SIGKILL')
      t2.equal(
        answers.filter((a) => a.status !== 201).length,
        0,
        'every request was answered 201, by the victim before it died or by the survivor',
      )
      // every acknowledged record is there, as acknowledged, read through the survivor
      let missing = 0
      for (const a of acked) {
        const res = await fetch(`${survivor.base}/v1/points/evaluations/${a.id}`, {
          headers: { authorization: `Bearer ${auth}` },
        })
        if (res.status !== 200 || ((await res.json()) as { reference: string }).reference !== a.reference)
          missing++
      }
      t2.equal(missing, 0, `all ${acked.length} acknowledged records read back as acknowledged`)
      const storage = await openStorage({ dbPath: ':memory:', databaseUrl: url })
      t2.teardown(() => storage.close())
      const seqs: number[] = []
      for await (const r of storage.records.all()) seqs.push(Number(r.reference.slice(8)))
      t2.same(
        seqs,
        seqs.map((_, i) => i + 1),
        `references still unique and gapless after the kill (${seqs.length})`,
      )
      t2.equal(
        seqs.length,
        KEYS + 600,
        'one record per key: a request retried after the kill was not stored twice',
      )
      const verify = jifenCli(['audit', 'verify', '--json'], instanceEnv(url))
      t2.match(JSON.parse(verify.out), { ok: true }, 'jifen audit verify after the kill')
      const still = await fetch(`${survivor.base}/readyz`)
      t2.equal(still.status, 200, 'the survivor is still ready')
    },
  )
})
