// The storage contract, on the backend under test (JIFEN_TEST_BACKEND): domain objects out, numbering, generic records, the tables generation, immutability below the repositories.
import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { ApplicantSchema } from '../../schema/applicant.ts'
import type { PointsResult } from '../../schema/result.ts'
import { compileTable } from '../../scoring/compile.ts'
import { factsSha256 } from '../../scoring/hash.ts'
import { evaluatePermit } from '../../scoring/schemes.ts'
import type { Config } from '../../src/config.ts'
import { openStorage } from '../../src/repositories/open.ts'
import type { NewRecord, Storage, StoredRecord, WriteTx } from '../../src/repositories/types.ts'
import { verifyChainStream } from '../../src/security/audit-chain.ts'
import { replayRecord } from '../../src/services/replay.ts'
import { openRaw } from '../backend.ts'
import {
  applicant,
  authHeaders,
  build,
  json,
  NOW,
  postOfficial,
  shippedTables,
  TEST_AUDIT_KEY,
  TEST_BACKEND,
  tempDatabase,
} from '../helper.ts'

t.comment(`backend: ${TEST_BACKEND}`)

async function open(tt: Test): Promise<{ storage: Storage; target: Pick<Config, 'dbPath' | 'databaseUrl'> }> {
  const target = await tempDatabase(tt)
  const storage = await openStorage(target)
  tt.teardown(() => storage.close())
  return { storage, target }
}

async function seed(r: Storage, id = 'yinzhou-points-2022') {
  const table = shippedTables().find((x) => x.id === id)!
  const compiled = compileTable(table)
  await r.transaction((tx) =>
    tx.rulesets.insert({ table, sha256: compiled.sha256, status: 'published', origin: 'shipped', at: NOW }),
  )
  return compiled
}

function create(r: Storage, e: NewRecord): Promise<StoredRecord> {
  return r.transaction((tx) => tx.records.create(e))
}

function evaluation(
  compiled: ReturnType<typeof compileTable>,
  year: number,
  tablesGeneration: number | null = null,
): NewRecord {
  const a = ApplicantSchema.parse(applicant())
  const r = compiled.evaluatePoints(a, { asOf: '2026-04-30', jurisdiction: '330212' })
  return {
    id: randomUUID(),
    scheme: 'points',
    rulesetId: 'yinzhou-points-2022@1',
    rulesetSha256: compiled.sha256,
    asOf: '2026-04-30',
    jurisdiction: '330212',
    facts: a,
    factsSha256: factsSha256(a),
    idNumberMasked: null,
    idNumberHmac: null,
    dates: {},
    result: JSON.parse(JSON.stringify(r)),
    at: NOW,
    year,
    tablesGeneration,
  }
}

t.test('reference numbers count per year and are unique', async (tt) => {
  const { storage } = await open(tt)
  const compiled = await seed(storage)
  const refs = []
  for (const year of [2026, 2026, 2027, 2026])
    refs.push((await create(storage, evaluation(compiled, year))).reference)
  tt.same(refs, ['JF-2026-000001', 'JF-2026-000002', 'JF-2027-000001', 'JF-2026-000003'])
})

t.test(
  'a unit that throws after writing a record gives its number back: the next one is gapless',
  async (tt) => {
    const { storage } = await open(tt)
    const compiled = await seed(storage)
    await create(storage, evaluation(compiled, 2026))
    await tt.rejects(
      storage.transaction(async (tx) => {
        await tx.records.create(evaluation(compiled, 2026))
        throw new Error('fails after the record was written')
      }),
      /fails after/,
    )
    tt.equal((await create(storage, evaluation(compiled, 2026))).reference, 'JF-2026-000002')
  },
)

t.test('a stored record reads back as the same domain object', async (tt) => {
  const { storage } = await open(tt)
  const compiled = await seed(storage)
  const created = await create(storage, evaluation(compiled, 2026))
  tt.same(await storage.records.get(created.id), created)
  tt.equal(await storage.records.get('00000000-0000-4000-8000-000000000000'), null)
  const all = []
  for await (const r of storage.records.all()) all.push(r)
  tt.same(all, [created], 'and in the walk of every record')
})

t.test(
  'records by reference; a void is a row of its own: the record reads back unchanged, a second void is refused, the database refuses to change a void',
  async (tt) => {
    const { storage, target } = await open(tt)
    const compiled = await seed(storage)
    const first = await create(storage, evaluation(compiled, 2026))
    tt.same(await storage.records.getByReference('JF-2026-000001'), first)
    tt.equal(await storage.records.getByReference('JF-2026-000999'), null)
    const correction = await create(storage, evaluation(compiled, 2026))
    const v = {
      recordId: first.id,
      reason: 'wrong birth date',
      at: NOW,
      keyName: 'k',
      correctedBy: correction.id,
    }
    tt.equal(await storage.transaction((tx) => tx.records.void(v)), true)
    tt.equal(
      await storage.transaction((tx) => tx.records.void({ ...v, correctedBy: null })),
      false,
      'once only',
    )
    tt.same(await storage.records.get(first.id), first, 'the record itself is unchanged')
    const lives = await storage.records.lives([first.id, correction.id, randomUUID()])
    tt.same(lives.get(first.id), { void: v, corrects: null })
    tt.same(lives.get(correction.id), { void: null, corrects: first.id })
    const all = []
    for await (const x of storage.records.voids()) all.push(x)
    tt.same(all, [v])
    const raw = await openRaw(tt, target)
    await tt.rejects(raw.run(`update record_voids set reason = 'x'`, []), /JIFEN_IMMUTABLE/)
    await tt.rejects(raw.run('delete from record_voids', []), /JIFEN_IMMUTABLE/)
  },
)

t.test('records are generic: a permit decision is stored as { scheme, result } and replays', async (tt) => {
  const { storage } = await open(tt)
  const table = shippedTables().find((x) => x.scheme === 'residence-permit')!
  const compiled = compileTable(table)
  await storage.transaction((tx) =>
    tx.rulesets.insert({ table, sha256: compiled.sha256, status: 'published', origin: 'shipped', at: NOW }),
  )
  const a = ApplicantSchema.parse(applicant())
  const ctx = { asOf: '2026-04-30', jurisdiction: table.jurisdiction }
  const result = JSON.parse(JSON.stringify(evaluatePermit(compiled, a, ctx)))
  const { idNumber: _none, ...facts } = a
  const stored = await create(storage, {
    id: randomUUID(),
    scheme: 'residence-permit',
    rulesetId: `${table.id}@${table.version}`,
    rulesetSha256: compiled.sha256,
    asOf: ctx.asOf,
    jurisdiction: ctx.jurisdiction,
    facts,
    factsSha256: factsSha256(a),
    idNumberMasked: null,
    idNumberHmac: null,
    dates: {},
    result,
    at: NOW,
    year: 2026,
    tablesGeneration: null,
  })
  const read = await storage.records.get(stored.id)
  tt.equal(read?.scheme, 'residence-permit')
  tt.same(read?.result, result, 'the scheme’s own result JSON')
  const replay = replayRecord(read!, compiled)
  tt.same(replay.differences, [], 'replays identical through the generic plumbing')
  // and a changed stored result is found out, path by path
  const altered = { ...read!, result: { ...result, eligible: !result.eligible } }
  tt.same(
    replayRecord(altered, compiled).differences.map((d) => d.path),
    ['eligible'],
  )
})

t.test('publish, retire and a published insert bump the tables generation; a draft does not', async (tt) => {
  const { storage } = await open(tt)
  const g0 = await storage.rulesets.generation()
  const compiled = await seed(storage)
  const g1 = await storage.rulesets.generation()
  tt.equal(g1, g0 + 1, 'seeding a published table')
  const city = shippedTables().find((x) => x.id === 'ningbo-points-2022')!
  const draft = { ...city, id: 'draft-only', version: 1 }
  await storage.transaction((tx) =>
    tx.rulesets.insert({
      table: draft,
      sha256: compileTable(draft).sha256,
      status: 'draft',
      origin: 'api',
      at: NOW,
    }),
  )
  tt.equal(await storage.rulesets.generation(), g1, 'a draft changes nothing in force')
  await storage.transaction((tx) => tx.rulesets.publish('draft-only@1', NOW))
  tt.equal(await storage.rulesets.generation(), g1 + 1, 'publication')
  await storage.transaction((tx) => tx.rulesets.retire('draft-only@1', NOW, 'withdrawn'))
  tt.equal(await storage.rulesets.generation(), g1 + 2, 'retirement')
  // the synchronous read the per-request check uses: the same value, or null where it must wait
  const now = storage.rulesets.generationNow()
  if (storage.backend === 'sqlite') tt.equal(now, g1 + 2, 'SQLite reads it at once')
  else tt.ok(now === null || now === g1 + 2, `PostgreSQL's heard value is current or absent (${now})`)

  // a record computed at an older generation is refused, writes nothing and takes no number
  await tt.rejects(create(storage, evaluation(compiled, 2026, g1)), {
    name: 'TablesChangedError',
    expected: g1,
    actual: g1 + 2,
  })
  const ok = await create(storage, evaluation(compiled, 2026, g1 + 2))
  tt.equal(ok.reference, 'JF-2026-000001', 'the refused record took no number')
})

t.test('the database itself refuses to change a published ruleset or a record', async (tt) => {
  const { storage, target } = await open(tt)
  const compiled = await seed(storage)
  const created = await create(storage, evaluation(compiled, 2026))
  await storage.transaction((tx) =>
    tx.audit.append(
      { at: NOW, keyName: 'test', action: 'test.appended', objectId: created.id },
      TEST_AUDIT_KEY,
    ),
  )
  tt.equal(
    await storage.transaction((tx) => tx.rulesets.replaceDraft('yinzhou-points-2022@1', compiled.table, 'x')),
    false,
    'not a draft',
  )
  tt.equal(
    await storage.transaction((tx) => tx.rulesets.publish('yinzhou-points-2022@1', NOW)),
    false,
    'already published',
  )
  const raw = await openRaw(tt, target)
  for (const [query, params] of [
    [`update rulesets set table_json = '{}' where id = 'yinzhou-points-2022@1'`, []],
    [`delete from rulesets where id = 'yinzhou-points-2022@1'`, []],
    [`update evaluations set result_json = '{}' where id = ?`, [created.id]],
    ['delete from evaluations where id = ?', [created.id]],
    ['delete from audit_log', []],
    ['update table_generation set generation = 0', []],
  ] as const) {
    await tt.rejects(raw.run(query, [...params]), /JIFEN_IMMUTABLE/, query)
  }
})

t.test(
  'retiring: published → retired once, with when and why; then the database refuses every change',
  async (tt) => {
    const { storage, target } = await open(tt)
    await seed(storage)
    const id = 'yinzhou-points-2022@1'
    tt.equal(
      await storage.transaction((tx) => tx.rulesets.retire(id, NOW, 'entered with a wrong value')),
      true,
    )
    const retired = await storage.rulesets.get(id)
    tt.same(
      { status: retired?.status, retiredAt: retired?.retiredAt, retiredReason: retired?.retiredReason },
      { status: 'retired', retiredAt: NOW, retiredReason: 'entered with a wrong value' },
    )
    tt.equal(
      await storage.transaction((tx) => tx.rulesets.retire(id, NOW, 'again')),
      false,
      'only a published one',
    )
    const raw = await openRaw(tt, target)
    for (const query of [
      `update rulesets set retired_reason = 'rewritten' where id = '${id}'`,
      `update rulesets set retired_at = '2030-01-01T00:00:00.000Z' where id = '${id}'`,
      `update rulesets set status = 'published', retired_at = null, retired_reason = null where id = '${id}'`,
      `update rulesets set published_at = null where id = '${id}'`,
    ]) {
      await tt.rejects(raw.run(query), /JIFEN_IMMUTABLE/, query)
    }
    await seed(storage, 'ningbo-points-2022')
    await tt.rejects(
      raw.run(`update rulesets set status = 'retired' where id = 'ningbo-points-2022@1'`),
      /JIFEN_IMMUTABLE/,
      'not without when and why',
    )
    await tt.rejects(
      raw.run(`update rulesets set retired_reason = 'not retired yet' where id = 'ningbo-points-2022@1'`),
      /JIFEN_IMMUTABLE/,
    )
  },
)

t.test(
  'two storages on one database (two instances) chain their audit entries onto one another',
  async (tt) => {
    const target = await tempDatabase(tt)
    const a = await openStorage(target)
    const b = await openStorage(target)
    tt.teardown(async () => {
      await a.close()
      await b.close()
    })
    const append = (s: Storage, i: number) =>
      s.transaction((tx) =>
        tx.audit.append(
          { at: NOW, keyName: `k${i}`, action: 'test.appended', objectId: `o${i}` },
          TEST_AUDIT_KEY,
        ),
      )
    await Promise.all(Array.from({ length: 40 }, (_, i) => append(i % 2 === 0 ? a : b, i)))
    const verdict = await verifyChainStream(a.audit.entries(), TEST_AUDIT_KEY)
    tt.match(verdict, { ok: true, entries: 40, legacy: 0 }, 'one unbroken chain of 40 entries')
  },
)

/**
 * Storage whose record writes pass through `change` first, as a changed engine or a corrupted disk
 * would leave them; `seen` gets each stored record.
 */
function alteringRecords(change: (e: NewRecord) => NewRecord, seen: (s: StoredRecord) => void = () => {}) {
  return async (config: Config): Promise<Storage> => {
    const r = await openStorage(config)
    const transaction = r.transaction.bind(r)
    r.transaction = <T>(work: (tx: WriteTx) => Promise<T>) =>
      transaction((tx) =>
        work({
          ...tx,
          records: {
            ...tx.records,
            create: (async (e: NewRecord) => {
              const s = await tx.records.create(change(e))
              seen(s)
              return s
            }) as WriteTx['records']['create'],
          },
        }),
      )
    return r
  }
}

t.test('replay reports exactly which items differ from the stored result', async (tt) => {
  // A record whose stored result disagrees with what its table gives (as an engine change would cause).
  let stored: { id: string } | undefined
  const app = await build(tt, {
    openStorage: alteringRecords(
      (e) => {
        const result = JSON.parse(JSON.stringify(e.result)) as PointsResult
        const age = result.items.find((i) => i.id === 'age')!
        age.points = 19
        age.pointsBeforeCap = 19
        result.total -= 1
        return { ...e, result }
      },
      (s) => {
        stored = s
      },
    ),
  })
  const auth = await authHeaders(app, ['police'])
  await postOfficial(app, auth, { jurisdiction: '330212', asOf: '2026-04-30', applicant: applicant() })
  const replayRes = await app.inject({
    headers: auth,
    method: 'POST',
    url: `/v1/points/evaluations/${stored!.id}/replay`,
  })
  tt.equal(replayRes.statusCode, 200, replayRes.body.slice(0, 300))
  const replay = json(replayRes)
  tt.equal(replay.identical, false)
  tt.same(replay.differences, [
    { path: 'total', item: null, stored: 106.5, replayed: 107.5 },
    { path: 'items[age].pointsBeforeCap', item: 'age', stored: 19, replayed: 20 },
    { path: 'items[age].points', item: 'age', stored: 19, replayed: 20 },
  ])
})

t.test('a record whose table no longer matches its hash is refused as corrupt, not replayed', async (tt) => {
  const app = await build(tt, {
    openStorage: alteringRecords((e) => ({ ...e, rulesetSha256: '0'.repeat(64) })),
  })
  const auth = await authHeaders(app, ['police'])
  const created = json(
    await postOfficial(app, auth, { jurisdiction: '330212', asOf: '2026-04-30', applicant: applicant() }),
  )
  const res = await app.inject({
    headers: auth,
    method: 'POST',
    url: `/v1/points/evaluations/${created.id}/replay`,
  })
  tt.equal(res.statusCode, 500)
  tt.equal(json(res).code, 'JIFEN_ERR_RECORD_CORRUPT')
})

t.test(
  'admission rounds: applications and versions read back, withdrawals keep rows, versions never change',
  async (tt) => {
    const { storage, target } = await open(tt)
    const roundId = randomUUID()
    await storage.transaction((tx) =>
      tx.admission.createRound({
        id: roundId,
        district: '330212',
        spec: { lotterySeed: 's' },
        status: 'open',
        publishedVersion: null,
        createdAt: NOW,
      }),
    )
    const row = (ref: string, childKey: string, position: number) => ({
      roundId,
      applicationRef: ref,
      childKey,
      idNumberMasked: null,
      household: { ref },
      evaluation: { eligible: true },
      input: { ref },
      status: 'active' as const,
      createdAt: NOW,
      withdrawnAt: null,
      batch: 1,
      position,
    })
    tt.equal(await storage.transaction((tx) => tx.admission.nextBatch(roundId)), 1, 'the first batch is 1')
    // refs order byte-wise on both backends ('B' < 'a' in code point order, not in a linguistic collation)
    await storage.transaction((tx) =>
      tx.admission.insertApplications([row('a-1', 'k1', 0), row('B-2', 'k2', 1)]),
    )
    tt.equal(await storage.transaction((tx) => tx.admission.nextBatch(roundId)), 2, 'then the highest + 1')
    const listed = await storage.admission.listApplications(roundId, null, 10)
    tt.same(
      listed.map((a) => a.applicationRef),
      ['B-2', 'a-1'],
    )
    tt.same(listed[1], row('a-1', 'k1', 0))
    tt.same(await storage.admission.applicationBatches(), [{ roundId, batch: 1, applications: 2 }])
    tt.same(
      await storage.admission.batchText(roundId, 1),
      [
        { ref: 'a-1', childKey: 'k1' },
        { ref: 'B-2', childKey: 'k2' },
      ].map(({ ref, childKey }) => ({
        applicationRef: ref,
        childKey,
        idNumberMasked: null,
        householdJson: JSON.stringify({ ref }),
        evaluationJson: '{"eligible":true}',
        inputJson: JSON.stringify({ ref }),
      })),
      'the hashed columns as stored text, in position order',
    )
    const c = await storage.transaction((tx) => tx.admission.conflicts(roundId, ['a-1', 'x'], ['k2', 'k9']))
    tt.same(c, { refs: ['a-1'], children: [{ childKey: 'k2', applicationRef: 'B-2' }] })
    tt.equal(await storage.transaction((tx) => tx.admission.withdraw(roundId, 'a-1', NOW)), true)
    tt.equal(await storage.transaction((tx) => tx.admission.withdraw(roundId, 'a-1', NOW)), false, 'once')
    const [kept] = await storage.admission.getApplications(roundId, ['a-1'])
    tt.same([kept.status, kept.withdrawnAt], ['withdrawn', NOW])
    tt.same(await storage.transaction((tx) => tx.admission.activeInputs(roundId)), [{ ref: 'B-2' }])
    await storage.transaction((tx) =>
      tx.admission.insertResult({
        roundId,
        version: 1,
        inputsSha256: 'h',
        inputs: {},
        result: { v: 1 },
        createdAt: NOW,
      }),
    )
    const round = await storage.admission.getRound(roundId)
    tt.same([round?.applications, round?.latestVersion], [1, 1])
    tt.same((await storage.admission.getResult(roundId, null))?.result, { v: 1 })
    const raw = await openRaw(tt, target)
    for (const [query, params] of [
      [`update admission_results set result_json = '{}' where round_id = ?`, [roundId]],
      ['delete from admission_results where round_id = ?', [roundId]],
      ['delete from admission_applications where round_id = ?', [roundId]],
      [`update admission_applications set household_json = '{}' where round_id = ?`, [roundId]],
      ['delete from admission_rounds where id = ?', [roundId]],
      // a round changes only its status and published version
      ...[
        `spec_json = '{}'`,
        `district = '330203'`,
        `created_at = '2020-01-01T00:00:00.000Z'`,
        `id = 'r-2'`,
      ].map(
        (change) =>
          [`update admission_rounds set status = 'closed', ${change} where id = ?`, [roundId]] as const,
      ),
      // the withdrawal itself may change the status and the withdrawal instant, nothing else
      ...[
        `id_number_masked = '420102************'`,
        `created_at = '2020-01-01T00:00:00.000Z'`,
        'batch = 9',
        'batch = null',
        'position = 7',
        `child_key = 'k9'`,
      ].map(
        (change) =>
          [
            `update admission_applications set status = 'withdrawn', withdrawn_at = ?, ${change} where round_id = ? and application_ref = 'B-2'`,
            [NOW, roundId],
          ] as const,
      ),
      [
        `update admission_applications set status = 'withdrawn' where round_id = ? and application_ref = 'B-2'`,
        [roundId],
      ],
    ] as const) {
      await tt.rejects(raw.run(query, [...params]), /JIFEN_IMMUTABLE/, query)
    }
    const [still] = await storage.admission.getApplications(roundId, ['B-2'])
    tt.same([still.status, still.idNumberMasked, still.batch, still.position], ['active', null, 1, 1])
    await raw.run(
      `update admission_applications set status = 'withdrawn', withdrawn_at = ? where round_id = ? and application_ref = 'B-2'`,
      [NOW, roundId],
    )
    tt.equal(
      (await storage.admission.getApplications(roundId, ['B-2']))[0].status,
      'withdrawn',
      'the plain one passes',
    )
    await raw.run(`update admission_rounds set status = 'published', published_version = 1 where id = ?`, [
      roundId,
    ])
    tt.same(
      await storage.admission.getRound(roundId).then((r) => [r?.status, r?.publishedVersion]),
      ['published', 1],
      'the status and published version move',
    )
  },
)
