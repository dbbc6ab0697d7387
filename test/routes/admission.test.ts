// Admission routes: one household, rounds, bulk applications, allocation versions, replay, publication; hand-worked rounds.
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { authHeaders, build, json } from '../helper.ts'

// ---------------------------------------------------------------- hand-made households (intake 2026)
//
// Every round below measures on 2026-04-30 (the helper's today is 2026-05-15). The base parent, scored
// under yinzhou-points-2022 (policy.md §3; the city items at their table values):
//   age: born 1990-05-01 → 35 on 2026-04-30 (≤ 40) → 20
//   education: bachelor → 10
//   social insurance: 2020-05 … 2026-04 ongoing = 72 months × 0.5 = 36 → cap 30
//   residence: registered 2015-04-30 → 132 full months × 0.25 = 33 → cap 30
//   provincial 20 + 10 + 30 + 30 = 90
//   city: labour contract in the district since 2020-05-01 (≥ 1 year) → 10; registered rental → 10; city 20
//   total 110. Permit issued 2015-05-10, endorsed every 1 May 2016 … 2025 → valid to 2026-05-09.
// Insurance and residence are capped, so months can differ while points tie: the tie-break tests use it.

const endorsements = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${from + i}-05-01`)

function parent(region: string, o: Record<string, unknown> = {}) {
  return {
    birthDate: '1990-05-01',
    education: 'bachelor',
    socialInsurance: [{ from: (o.insuranceFrom as string) ?? '2020-05', to: null, region }],
    residence: {
      registeredSince: (o.since as string) ?? '2015-04-30',
      region,
      permit: { issuedOn: '2015-05-10', endorsements: endorsements(2016, 2025) },
    },
    employment: [{ kind: 'labour_contract', from: '2020-05-01', to: null, region }],
    housing: { kind: 'registered_rental', region, owner: null },
    ...((o.extra as object) ?? {}),
  }
}

function household(region: string, o: Record<string, unknown> = {}) {
  return {
    parents: [parent(region, o)],
    child: { birthDate: '2019-10-01', hukou: '420102', entryGrade: 'P1', ...((o.child as object) ?? {}) },
    ownsHomeIn: (o.ownsHomeIn as string[]) ?? [],
    preferences: (o.preferences as string[]) ?? ['s1'],
    ...(o.appliedAt === undefined ? {} : { appliedAt: o.appliedAt }),
  }
}

function roundBody(o: Record<string, unknown> = {}) {
  return {
    district: '330212',
    intakeYear: 2026,
    grade: 'P1',
    asOf: '2026-04-30',
    permitCheckDate: '2026-05-10',
    window: { opens: '2026-05-01T09:00:00+08:00', closes: '2026-05-31T17:00:00+08:00' },
    units: [{ id: 's1', name: '鄞州区第一实验小学', seats: 1 }],
    lotterySeed: 'yz-2026-a',
    ...o,
  }
}

type Auth = Record<string, string>

async function createRound(app: FastifyInstance, auth: Auth, o: Record<string, unknown> = {}) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/admission/rounds',
    headers: auth,
    payload: roundBody(o),
  })
  if (res.statusCode !== 201) throw new Error(`round: ${res.statusCode} ${res.body}`)
  return json(res).id as string
}

function bulk(app: FastifyInstance, auth: Auth, id: string, applications: unknown[], headers: Auth = {}) {
  return app.inject({
    method: 'POST',
    url: `/v1/admission/rounds/${id}/applications`,
    headers: { ...auth, ...headers },
    payload: { applications },
  })
}

/** Creates, fills, closes and allocates a round; the result version's body. */
async function allocated(
  app: FastifyInstance,
  auth: Auth,
  round: Record<string, unknown>,
  applications: unknown[],
) {
  const id = await createRound(app, auth, round)
  const b = await bulk(app, auth, id, applications)
  if (b.statusCode !== 201) throw new Error(`bulk: ${b.statusCode} ${b.body}`)
  const c = await app.inject({ method: 'POST', url: `/v1/admission/rounds/${id}/close`, headers: auth })
  if (c.statusCode !== 200) throw new Error(`close: ${c.statusCode} ${c.body}`)
  const a = await app.inject({ method: 'POST', url: `/v1/admission/rounds/${id}/allocate`, headers: auth })
  if (a.statusCode !== 201) throw new Error(`allocate: ${a.statusCode} ${a.body}`)
  return { id, version: json(a) }
}

// biome-ignore lint/suspicious/noExplicitAny: outcomes read loosely
const outcomeOf = (v: any, ref: string) => v.result.applications.find((a: any) => a.ref === ref)

// ---------------------------------------------------------------- one household

t.test(
  'POST /v1/admission/eligibility: gates, tier, points of the higher parent and tie-break values',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['education'])
    const res = await app.inject({
      method: 'POST',
      url: '/v1/admission/eligibility',
      headers: auth,
      payload: { district: '330212', asOf: '2026-04-30', household: household('330212') },
    })
    tt.equal(res.statusCode, 200, res.body)
    const body = json(res)
    // the base parent: 110 points (see the top of this file); insurance 72 months, residence 132 months
    tt.equal(body.eligible, true)
    tt.equal(body.points, 110)
    tt.equal(body.scoringParent, 0)
    tt.equal(body.priorityTier, null)
    tt.equal(body.insuranceMonths, 72)
    tt.equal(body.residenceMonths, 132)
    tt.equal(body.ruleset.id, 'yinzhou-admission-2023')
    tt.match(body.ruleset.sha256, /^[0-9a-f]{64}$/)
    const police = await authHeaders(app, ['police'])
    const forbidden = await app.inject({
      method: 'POST',
      url: '/v1/admission/eligibility',
      headers: police,
      payload: { district: '330212', asOf: '2026-04-30', household: household('330212') },
    })
    tt.equal(forbidden.statusCode, 403)
  },
)
