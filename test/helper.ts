// Test helper: a fresh app per test (fresh :memory: database, fixed clock, fixed test secret), API keys, log checks.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { EXAMPLE_APPLICANT } from '../schema/api.ts'
import { idCheckChar } from '../schema/id-number.ts'
import type { Table } from '../schema/table.ts'
import { type AppOptions, buildApp } from '../src/app.ts'
import { fixedClock } from '../src/clock.ts'
import { type Config, testConfig } from '../src/config.ts'
import type { Scope } from '../src/security/api-keys.ts'
import { AuditKey } from '../src/security/audit-chain.ts'
import { loadShippedTables } from '../src/tables/shipped.ts'
import { freshPgDatabase, TEST_BACKEND } from './backend.ts'

export { TEST_BACKEND } from './backend.ts'

/** Today, for every route test: 15 May 2026, 10:00 in Ningbo. */
export const NOW = '2026-05-15T02:00:00.000Z'
export const TODAY = '2026-05-15'

let shipped: Table[] | null = null
/** The shipped tables, parsed once per test file: every app seeds the same ones. */
export function shippedTables(): Table[] {
  shipped ??= loadShippedTables()
  return shipped
}

/** A fixed secret for ID-number hashes in tests only (so a restarted test app finds earlier records). */
export const TEST_ID_HMAC_SECRET = 'jifen-test-only-id-hmac-secret-0123456789'

/** A fixed audit key in tests only (a restarted test app keeps chaining the same log). */
export const TEST_AUDIT_KEY_SECRET = 'jifen-test-only-audit-key-0123456789abcdef'
export const TEST_AUDIT_KEY = new AuditKey(TEST_AUDIT_KEY_SECRET)

export const ALL_SCOPES: readonly Scope[] = ['police', 'education', 'admin', 'auditor']

/** Every full key issued through the helpers, per app: the log check looks for each. */
const issuedKeys = new WeakMap<FastifyInstance, string[]>()
const headerCache = new WeakMap<FastifyInstance, Map<string, Record<string, string>>>()
let keyCounter = 0

/**
 * Issues a fresh API key with these scopes, straight through the app's key service (as
 * `jifen keys create` does), and returns the full key.
 */
export async function issueKey(
  app: FastifyInstance,
  scopes: readonly Scope[],
  name?: string,
): Promise<string> {
  const keyName = name ?? `test-${scopes.join('.') || 'none'}-${++keyCounter}`
  const { key } = await app.jifen.services().keys.create(keyName, scopes, { keyId: null, keyName: 'test' })
  issuedKeys.set(app, [...(issuedKeys.get(app) ?? []), key])
  return key
}

/**
 * Headers that authenticate as a key with exactly these scopes: `headers: await authHeaders(app,
 * ['police'])`. One key per app and scope set, issued on first use.
 */
export async function authHeaders(
  app: FastifyInstance,
  scopes: readonly Scope[],
): Promise<Record<string, string>> {
  const cache = headerCache.get(app) ?? new Map<string, Record<string, string>>()
  headerCache.set(app, cache)
  const id = [...scopes].sort().join(',')
  const cached = cache.get(id)
  if (cached) return cached
  const headers = { authorization: `Bearer ${await issueKey(app, scopes)}` }
  cache.set(id, headers)
  return headers
}

// 18-character GB 11643 shapes standing alone, valid checksum or not (fuzzed ones must not leak either)
const FULL_ID = /(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/g
const ANY_KEY = /jf_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/g

/** Percent-escapes decoded wherever they are: an ID written `…45%37` in a logged URL is still an ID. */
function percentDecoded(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
}

/** Full ID numbers and API keys found in log output, as written or percent-decoded (empty when the logs are clean). */
export function logLeaks(text: string, keys: readonly string[] = []): string[] {
  const found = [...text.matchAll(FULL_ID), ...percentDecoded(text).matchAll(FULL_ID)].map(
    (m) => `ID number ${m[0]}`,
  )
  found.push(...[...text.matchAll(ANY_KEY)].map((m) => `API key ${m[0].slice(0, 18)}…`))
  for (const k of keys) if (text.includes(k.slice(16))) found.push(`secret of key ${k.slice(0, 18)}…`)
  return [...new Set(found)]
}

/** A log destination that keeps every line, for assertions. */
export function captureLogs(): { stream: Writable; lines: string[]; text(): string } {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk))
      cb()
    },
  })
  return { stream, lines, text: () => lines.join('') }
}

/** A database file in a fresh temporary folder, removed at teardown (SQLite only). */
export function tempDbPath(t: Test): string {
  return join(tempDir(t), 'jifen.sqlite')
}

/** A fresh temporary folder, removed at teardown. */
export function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'jifen-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * A database of the backend under test that outlives one app (restarts, several instances): an
 * SQLite file in a temporary folder, or a fresh PostgreSQL database; dropped at teardown.
 */
export async function tempDatabase(t: Test): Promise<Pick<Config, 'dbPath' | 'databaseUrl'>> {
  if (TEST_BACKEND === 'postgres') return { dbPath: ':memory:', databaseUrl: await freshPgDatabase(t) }
  return { dbPath: tempDbPath(t), databaseUrl: null }
}

export interface BuildOptions extends AppOptions {
  config?: Partial<Config>
}

/**
 * Builds and starts an app. Unless the test brings its own log stream, logs are captured at trace
 * level and checked at teardown for full ID numbers and API keys: every route test run is also a
 * log-hygiene test.
 */
export async function build(t: Test, options: BuildOptions = {}): Promise<FastifyInstance> {
  const { config, ...appOptions } = options
  const capture = options.logStream === undefined ? captureLogs() : null
  // the backend under test, unless the test names its database (an SQLite file, a PostgreSQL URL)
  const database =
    TEST_BACKEND === 'postgres' && config?.dbPath === undefined && config?.databaseUrl === undefined
      ? { databaseUrl: await freshPgDatabase(t), dbPoolSize: 4 }
      : {}
  const settings = {
    // a secret the app generates goes to a folder of this test, never the working directory's
    secretsDir: join(tempDir(t), 'secrets'),
    // CI shares two cores with other work: an event-loop delay there is not this app's overload
    // (the hardening tests that check the 503 set their own threshold)
    pressureMaxEventLoopDelayMs: 0,
    ...(capture ? { logLevel: 'trace' as const } : {}),
    ...database,
    ...config,
  }
  const app = buildApp(testConfig(settings), {
    clock: fixedClock(NOW),
    seedTables: shippedTables,
    validateResponses: true,
    idHmacSecret: TEST_ID_HMAC_SECRET,
    auditKey: TEST_AUDIT_KEY_SECRET,
    ...(capture ? { logStream: capture.stream } : {}),
    ...appOptions,
  })
  t.teardown(async () => {
    await app.close()
    if (capture === null) return
    const leaks = logLeaks(capture.text(), issuedKeys.get(app))
    if (leaks.length > 0) throw new Error(`the logs hold what they must not: ${leaks.join('; ')}`)
  })
  await app.ready()
  return app
}

/** JSON of a response, typed loosely for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary response shapes
export function json(res: LightMyRequestResponse): any {
  return JSON.parse(res.body)
}

/** The README's applicant: Yinzhou, 38 years old, 大专, 高级工, insured and resident since early 2019. */
export function applicant(overrides: Record<string, unknown> = {}) {
  // a deep copy: tests change the arrays they get
  return { ...structuredClone(EXAMPLE_APPLICANT), ...overrides }
}

export function pointsRequest(
  overrides: Record<string, unknown> = {},
  applicantOverrides: Record<string, unknown> = {},
) {
  return {
    jurisdiction: '330212',
    asOf: '2026-04-30',
    applicant: applicant(applicantOverrides),
    ...overrides,
  }
}

/** POSTs an official points evaluation, the request most tests make; the response as inject gives it. */
export function postOfficial(
  app: FastifyInstance,
  headers: InjectOptions['headers'],
  payload: object | string,
): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/v1/points/evaluations', headers, payload })
}

/**
 * A draft Yinzhou version 2: the city table plus one district item, 5 points for living in the district;
 * `overrides` replace table fields, `item` adds to or replaces the district item's.
 */
export function yinzhouV2(overrides: Record<string, unknown> = {}, item: Record<string, unknown> = {}) {
  return {
    id: 'yinzhou-points-2022',
    version: 2,
    scheme: 'points',
    jurisdiction: '330212',
    title: '宁波市鄞州区流动人口量化积分（第 2 版）',
    validFrom: '2022-04-01',
    validTo: null,
    ref: 'ningbo-points-notice',
    references: {
      'test-clause': { title: '测试用条款', documentNumber: 'document number not found', status: 'P' },
    },
    extends: 'ningbo-points-2022@1',
    patch: {
      layers: [{ id: 'district', label: '鄞州区', cap: 50, ref: 'ningbo-points-notice' }],
      add: [
        {
          id: 'lives_in_district',
          label: '在本区居住',
          layer: 'district',
          kind: 'binary',
          ref: 'test-clause',
          when: { fact: 'residence.inDistrict', eq: true },
          points: 5,
          cap: 5,
          ...item,
        },
      ],
    },
    ...overrides,
  }
}

/**
 * A complete points table of its own (id test-standalone, version 1) for a jurisdiction no shipped table
 * covers (fictional 330299): one layer, one 10-point item for a valid permit. `overrides` replace its fields.
 */
export function standaloneTable(overrides: Record<string, unknown> = {}) {
  return {
    id: 'test-standalone',
    version: 1,
    scheme: 'points',
    jurisdiction: '330299',
    title: '测试表',
    validFrom: '2024-01-01',
    ref: 'test-rules',
    references: { 'test-rules': { title: '测试', documentNumber: 'document number not found', status: 'P' } },
    layers: [{ id: 'only', label: '唯一层', cap: 10 }],
    items: [
      {
        id: 'permit',
        label: '持证',
        layer: 'only',
        kind: 'binary',
        ref: 'test-rules',
        when: { fact: 'permit.valid', eq: true },
        points: 10,
        cap: 10,
      },
    ],
    ...overrides,
  }
}

/**
 * Yinzhou's table with the residence cap lowered from 30 to 20, a draft (version 2 unless `version` says):
 * the one draft of the simulation tests. The README applicant scores 107.5 under the shipped table, 106 under it.
 */
export function residenceCap20Draft(version = 2) {
  return {
    id: 'yinzhou-points-2022',
    version,
    scheme: 'points',
    jurisdiction: '330212',
    title: '鄞州区积分（居住时间上限 20 分，草案）',
    validFrom: '2022-04-01',
    validTo: null,
    ref: 'ningbo-points-notice',
    extends: 'ningbo-points-2022@1',
    patch: { reweight: [{ id: 'residence', cap: 20 }] },
  }
}

/**
 * Polls until `check` holds: every 20 ms, up to 3,000 times (a minute and more), a bound against a hang that
 * a loaded machine does not reach; never a timing assertion.
 */
export async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`never happened: ${what}`)
}

/** GETs the simulation at `location` until it no longer runs; its record then. Any status but 200 throws. */
export async function pollSimulation(
  app: FastifyInstance,
  headers: InjectOptions['headers'],
  location: string,
): Promise<ReturnType<typeof json>> {
  let record: ReturnType<typeof json>
  await until(`the simulation at ${location} finished`, async () => {
    const res = await app.inject({ method: 'GET', url: location, headers })
    if (res.statusCode !== 200) throw new Error(`poll: ${res.statusCode} ${res.body}`)
    record = json(res)
    return record.state !== 'running'
  })
  return record
}

/**
 * Three official evaluations of the README applicant made today (2026-05-15), the third voided: a population
 * of two standing records for the simulation tests. Their ids, in order.
 */
export async function evaluationsOneVoided(
  t: Test,
  app: FastifyInstance,
  police: InjectOptions['headers'],
): Promise<string[]> {
  const made: string[] = []
  for (let i = 0; i < 3; i++) {
    const res = await postOfficial(app, police, pointsRequest())
    t.equal(res.statusCode, 201)
    made.push(json(res).id)
  }
  const voided = await app.inject({
    method: 'POST',
    url: `/v1/points/evaluations/${made[2]}/void`,
    headers: police,
    payload: { reason: '录入错误' },
  })
  t.equal(voided.statusCode, 200, voided.body)
  return made
}

/**
 * The body creating the Yinzhou (330212) P1 round of 2026 that bulkApplication's rows apply to, open from
 * 1 to 31 May 2026, as of 30 April, permits checked on 10 May; two schools of 3,000 seats unless `units` says
 * otherwise. The round body of every route test that needs a plain Yinzhou round.
 */
export function bulkRound(
  lotterySeed: string,
  units: { id: string; name: string; seats: number }[] = [
    { id: 's1', name: '一校', seats: 3000 },
    { id: 's2', name: '二校', seats: 3000 },
  ],
) {
  return {
    district: '330212',
    intakeYear: 2026,
    grade: 'P1',
    asOf: '2026-04-30',
    permitCheckDate: '2026-05-10',
    window: { opens: '2026-05-01T09:00:00+08:00', closes: '2026-05-31T17:00:00+08:00' },
    units,
    lotterySeed,
  }
}

/**
 * One row of a bulk admission request for a Yinzhou (330212) P1 round of 2026, the one builder of the bulk
 * tests (test/routes/admission-bulk.test.ts, test/security/crash-bulk-writer.ts): the same eligible parent in
 * every row and a distinct child for each (batch, n), n < 10,000, batch < 100, with a valid ID number. The
 * child is born 2019-10-01 … 2019-10-28 (n mod 28, in the P1 2026 age band); its ID's digits 3–6 are the
 * batch and ⌊n / 28⌋ mod 100, its sequence n mod 1000: together they name n (n and n + 1000k share n mod 28
 * only when 7 divides k, and then ⌊n / 28⌋ mod 100 differs by 50).
 */
export function bulkApplication(
  n: number,
  o: { batch?: number; ref?: string; preferences?: string[]; appliedAt?: string } = {},
) {
  const batch = o.batch ?? 0
  const birthDate = `2019-10-${String(1 + (n % 28)).padStart(2, '0')}`
  const first17 = `42${String(batch % 100).padStart(2, '0')}${String(Math.floor(n / 28) % 100).padStart(2, '0')}${birthDate.replaceAll('-', '')}${String(n % 1000).padStart(3, '0')}`
  return {
    applicationRef: o.ref ?? `B${batch}-${String(n).padStart(5, '0')}`,
    household: {
      parents: [
        {
          birthDate: '1990-05-01',
          education: 'bachelor',
          socialInsurance: [{ from: '2020-05', to: null, region: '330212' }],
          residence: {
            registeredSince: '2015-04-30',
            region: '330212',
            permit: { issuedOn: '2025-05-10', endorsements: [] },
          },
          employment: [{ kind: 'labour_contract', from: '2020-05-01', to: null, region: '330212' }],
          housing: { kind: 'registered_rental', region: '330212', owner: null },
        },
      ],
      child: { idNumber: first17 + idCheckChar(first17), birthDate, hukou: '420102', entryGrade: 'P1' },
      preferences: o.preferences ?? ['s1'],
      ...(o.appliedAt === undefined ? {} : { appliedAt: o.appliedAt }),
    },
  }
}
