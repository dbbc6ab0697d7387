// ID recovery: someone holding the database file tries every ID the stored region, birth date and check character allow, and finds none.
import { existsSync, statSync } from 'node:fs'
import { basename } from 'node:path'
import Database from 'better-sqlite3'
import t from 'tap'
import { EvaluationRequestSchema } from '../../schema/api.ts'
import { idCheckChar } from '../../schema/id-number.ts'
import { contentSha256, sha256Hex } from '../../scoring/hash.ts'
import { authHeaders, build, json, pointsRequest, postOfficial, tempDbPath } from '../helper.ts'

/** A valid ID for the helper's applicant (born 1988-03-02) with this region and 3-digit serial. */
function idFor(region: string, serial: string): string {
  const first17 = `${region}19880302${serial}`
  return first17 + idCheckChar(first17)
}
const ALICE = idFor('330212', '123')
const BOB = idFor('330212', '456')
const CAROL = idFor('330225', '789')

const OFFICIAL_ROUTE = 'POST /v1/points/evaluations'

/** What the attacker reads from one stored record: enough to list the IDs it could have been made with. */
interface StoredClue {
  masked: string
  facts: Record<string, unknown>
  jurisdiction: string
  asOf: string
  dates: Record<string, string>
}

/** Every ID the masked form (region, check character) and the birth date in the facts allow: about 1000 / 11. */
function candidatesOf(clue: StoredClue): string[] {
  const region = clue.masked.slice(0, 6)
  const check = clue.masked.slice(17)
  const birth = String(clue.facts.birthDate).replaceAll('-', '')
  const out: string[] = []
  for (let serial = 0; serial < 1000; serial++) {
    const first17 = `${region}${birth}${String(serial).padStart(3, '0')}`
    if (idCheckChar(first17) === check) out.push(first17 + check)
  }
  return out
}

/**
 * Plain SHA-256 of every canonical form a stored value could have been computed from, had it been
 * computed without a key: the ID itself, the applicant (the facts with the ID), the request body with
 * and without its named dates, and {route, params, body}, the idempotency fingerprint of old.
 */
function unkeyedHashesOf(id: string, clue: StoredClue): string[] {
  const applicant = { ...clue.facts, idNumber: id }
  const bodies = [
    { jurisdiction: clue.jurisdiction, asOf: clue.asOf, applicant },
    { jurisdiction: clue.jurisdiction, asOf: clue.asOf, applicant, dates: clue.dates },
  ]
  return [
    sha256Hex(id),
    contentSha256(applicant),
    ...bodies.map((b) => contentSha256(b)),
    ...bodies.map((body) => contentSha256({ route: OFFICIAL_ROUTE, params: {}, body })),
  ]
}

/** Every cell of every table in the file, as text. */
function everyCell(db: Database.Database): string[] {
  const tables = (
    db.prepare(`select name from sqlite_master where type = 'table'`).all() as { name: string }[]
  ).map((r) => r.name)
  const cells: string[] = []
  for (const name of tables) {
    for (const row of db
      .prepare(`select * from "${name.replaceAll('"', '""')}"`)
      .raw()
      .all() as unknown[][]) {
      for (const v of row) if (v !== null) cells.push(Buffer.isBuffer(v) ? v.toString('hex') : String(v))
    }
  }
  return cells
}

/** The attack: the clues of every record with a masked ID, and the IDs whose unkeyed hashes (or text) appear anywhere. */
function attack(db: Database.Database, extraHashes: readonly string[] = []) {
  const clues = (
    db
      .prepare(
        'select id_number_masked, facts_json, jurisdiction, as_of, dates_json from evaluations where id_number_masked is not null',
      )
      .all() as Record<string, string>[]
  ).map(
    (r): StoredClue => ({
      masked: r.id_number_masked,
      facts: JSON.parse(r.facts_json),
      jurisdiction: r.jurisdiction,
      asOf: r.as_of,
      dates: JSON.parse(r.dates_json),
    }),
  )
  const cells = everyCell(db)
  const hexes = new Set([...cells.flatMap((c) => c.match(/[0-9a-f]{64}/g) ?? []), ...extraHashes])
  const text = cells.join('\n')
  let tried = 0
  const recovered = new Set<string>()
  for (const clue of clues) {
    for (const id of candidatesOf(clue)) {
      tried++
      if (text.includes(id) || unkeyedHashesOf(id, clue).some((h) => hexes.has(h))) recovered.add(id)
    }
  }
  return { clues: clues.length, tried, recovered: [...recovered] }
}

t.test(
  'no ID number can be recovered from the database file by hashing the candidates its clues allow',
  async (tt) => {
    const dbPath = tempDbPath(tt)
    const app = await build(tt, { config: { dbPath } })
    const police = await authHeaders(app, ['police'])
    const aliceRequest = pointsRequest({}, { idNumber: ALICE })
    const made = [
      // with an Idempotency-Key: the fingerprint of a body holding the ID is stored
      await postOfficial(app, { ...police, 'idempotency-key': 'ticket-A' }, aliceRequest),
      // and its retry, which must still be recognised as the same request
      await postOfficial(app, { ...police, 'idempotency-key': 'ticket-A' }, aliceRequest),
      // without one
      await postOfficial(app, police, pointsRequest({}, { idNumber: BOB })),
      // with named dates, and with the ID number itself as the Idempotency-Key (callers do such things)
      await postOfficial(
        app,
        { ...police, 'idempotency-key': CAROL },
        pointsRequest({ jurisdiction: '330225', dates: { registration: '2026-03-01' } }, { idNumber: CAROL }),
      ),
      // and one without an ID at all
      await postOfficial(app, { ...police, 'idempotency-key': 'ticket-D' }, pointsRequest()),
    ]
    tt.same(
      made.map((r) => r.statusCode),
      [201, 201, 201, 201, 201],
    )
    tt.equal(made[1].headers['idempotent-replayed'], 'true', 'the retry with the same body is still a replay')
    tt.equal(json(made[1]).id, json(made[0]).id)
    // the file itself is the owner's only, and so are SQLite's companions while it is open
    for (const file of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}.id-hmac-secret`]) {
      if (existsSync(file))
        tt.equal(statSync(file).mode & 0o077, 0, `${basename(file)}: no access for group or others`)
    }
    tt.ok(existsSync(`${dbPath}-wal`), 'the WAL file was checked too')
    await app.close()

    const db = new Database(dbPath, { readonly: true, fileMustExist: true })
    tt.teardown(() => db.close())
    const { clues, tried, recovered } = attack(db)
    tt.equal(clues, 3, 'every record made with an ID (Alice, Bob, Carol) gives the attacker its clues')
    tt.ok(tried >= 3 * 80 && tried <= 3 * 100, `about 91 candidates per record (${tried} in all)`)
    tt.same(recovered, [], 'no candidate’s unkeyed hash or text is anywhere in the file')

    // The same attack against what the earlier code stored finds the ID: its fingerprint was a plain
    // SHA-256 of {route, params, parsed body}.
    const oldFingerprint = contentSha256({
      route: OFFICIAL_ROUTE,
      params: {},
      body: EvaluationRequestSchema.parse(aliceRequest),
    })
    tt.same(attack(db, [oldFingerprint]).recovered, [ALICE], 'the unkeyed fingerprint gave Alice away')
  },
)
