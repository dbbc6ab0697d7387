// Admission routes: one household, rounds, bulk applications, allocation versions, replay, publication; hand-worked rounds.
import { createHash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { idCheckChar } from '../../schema/id-number.ts'
import { authHeaders, build, bulkRound, json } from '../helper.ts'

// ---------------------------------------------------------------- hand-made households (intake 2026)
//
// Every round below measures on 2026-04-30 (the helper's today is 2026-05-15). The base parent, scored
// under yinzhou-points-2022 (policy.md §3; the city items at their table values):
//   age: born in 1990 → 35 or 36 on 2026-04-30 (≤ 40) → 20
//   education: bachelor → 10
//   social insurance: 2020-05 … 2026-04 ongoing = 72 months × 0.5 = 36 → cap 30
//   residence: registered 2015-04-30 → 132 full months × 0.25 = 33 → cap 30
//   provincial 20 + 10 + 30 + 30 = 90
//   city: labour contract in the district since 2020-05-01 (≥ 1 year) → 10; registered rental → 10; city 20
//   total 110. Permit issued 2015-05-10, endorsed every 1 May 2016 … 2025 → valid to 2026-05-09.
// Insurance and residence are capped, so months can differ while points tie: the tie-break tests use it.

const endorsements = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${from + i}-05-01`)

/**
 * Parents are born on distinct days of 1990 (all 35 or 36 on 2026-04-30, so 20 age points each): a round refuses the
 * same child twice, and a child without an ID number is named by its birth date and its parents'.
 */
let born = 0
const parentBirthDate = () => {
  const d = new Date(Date.UTC(1990, 0, 1 + (born++ % 360)))
  return d.toISOString().slice(0, 10)
}

function parent(region: string, o: Record<string, unknown> = {}) {
  return {
    birthDate: parentBirthDate(),
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
    ...(o.pointsAppliedOn === undefined ? {} : { pointsAppliedOn: o.pointsAppliedOn }),
  }
}

function roundBody(o: Record<string, unknown> = {}) {
  return { ...bulkRound('yz-2026-a', [{ id: 's1', name: '鄞州区第一实验小学', seats: 1 }]), ...o }
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

// ---------------------------------------------------------------- hand-worked rounds

t.test(
  'Yinzhou: a child with local hukou and no usable points is placed before a migrant child with 150',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['education'])
    // LOCAL: the base parent with a dishonesty record on 2026-01-01 → frozen 12 months (to 2026-12-31 ≥ 2026-04-30), so no
    // usable points (household points null); the child's hukou is Yinzhou 330212 → priority tier 1 (local_hukou_or_home).
    const local = household('330212', {
      child: { hukou: '330212' },
      extra: { records: [{ kind: 'dishonesty', date: '2026-01-01' }] },
    })
    // MIGRANT: the base parent (110) plus city items at the table's values: national honour 20, shortage occupation 10,
    // yearly tax 50,000 元 → 10; city 10 + 10 + 20 + 10 + 10 = 60 (cap 150); total 90 + 60 = 150. No tier.
    const migrant = household('330212', {
      extra: {
        cityItems: { honours: ['national'], shortageOccupation: true, yearlyTaxYuan: 50_000 },
      },
    })
    const { id, version } = await allocated(app, auth, {}, [
      { applicationRef: 'Y-MIGRANT', household: migrant },
      { applicationRef: 'Y-LOCAL', household: local },
    ])
    const apps = await app.inject({
      method: 'GET',
      url: `/v1/admission/rounds/${id}/applications`,
      headers: auth,
    })
    const byRef = Object.fromEntries(
      json(apps).applications.map((a: { applicationRef: string }) => [a.applicationRef, a]),
    )
    tt.equal(byRef['Y-MIGRANT'].evaluation.points, 150, 'the migrant family has 150 points')
    tt.equal(byRef['Y-LOCAL'].evaluation.points, null, 'the local family has no usable points')
    tt.equal(byRef['Y-LOCAL'].evaluation.priorityTier.rank, 1)
    // one seat: tier 1 ranks first whatever the points → LOCAL placed (rank 1), MIGRANT rank 2, the school full
    tt.same(outcomeOf(version, 'Y-LOCAL').placed, { unit: 's1', preferenceRank: 1 })
    tt.equal(outcomeOf(version, 'Y-LOCAL').rank, 1)
    tt.equal(outcomeOf(version, 'Y-MIGRANT').outcome, 'below_cutoff')
    tt.same(outcomeOf(version, 'Y-MIGRANT').refusals, [
      { preferenceRank: 1, unit: 's1', refusal: 'below_cutoff', cutoffRank: 1 },
    ])
    // the cut-off is the last child admitted: LOCAL, tier 1, points null; with no parent whose points count, the
    // household's insurance and residence months are 0 (scoring/schemes.ts takes them from the scoring parent)
    tt.same(version.result.units[0].cutoff, {
      rank: 1,
      ref: 'Y-LOCAL',
      tier: 1,
      points: null,
      tieBreak: [
        { key: 'points', value: null },
        { key: 'insuranceMonths', value: 0 },
        { key: 'residenceMonths', value: 0 },
        { key: 'appliedAt', value: null },
        { key: 'lottery', value: createHash('sha256').update('yz-2026-a:Y-LOCAL').digest('hex') },
      ],
    })
  },
)

t.test(
  'an exact tie on points is broken by insurance months, residence months, application time, then the lottery',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['education'])
    // All five score 110 (insurance and residence are at their caps of 30, see the top of this file).
    //   T-A: insurance from 2019-05 → 84 months (> 72)                       → rank 1
    //   T-B: insurance 72, residence since 2014-04-30 → 144 months (> 132)   → rank 2
    //   T-C, T-D, T-E: 72 and 132; T-C applied 2026-05-05 09:00, the others 2026-05-06 09:00 → T-C rank 3
    //   T-D vs T-E: lottery, SHA-256 of `seed:ref` with seed yz-2026-a:
    //     T-D a039f0db6f39…, T-E 80c8161cd3f7… → T-E is smaller → rank 4, although T-D < T-E by ref
    // 4 seats → T-A, T-B, T-C, T-E placed; T-D below the cut-off (rank 5 > the cut-off's rank 4).
    const first = '2026-05-05T09:00:00+08:00'
    const later = '2026-05-06T09:00:00+08:00'
    const { version } = await allocated(app, auth, { units: [{ id: 's1', name: '一校', seats: 4 }] }, [
      { applicationRef: 'T-E', household: household('330212', { appliedAt: later }) },
      { applicationRef: 'T-D', household: household('330212', { appliedAt: later }) },
      { applicationRef: 'T-C', household: household('330212', { appliedAt: first }) },
      { applicationRef: 'T-B', household: household('330212', { since: '2014-04-30', appliedAt: later }) },
      {
        applicationRef: 'T-A',
        household: household('330212', { insuranceFrom: '2019-05', appliedAt: later }),
      },
    ])
    const ranks = Object.fromEntries(
      ['T-A', 'T-B', 'T-C', 'T-D', 'T-E'].map((r) => [r, outcomeOf(version, r).rank]),
    )
    tt.same(ranks, { 'T-A': 1, 'T-B': 2, 'T-C': 3, 'T-E': 4, 'T-D': 5 })
    tt.equal(outcomeOf(version, 'T-D').outcome, 'below_cutoff')
    tt.equal(version.result.units[0].cutoff.ref, 'T-E')
    tt.equal(version.result.units[0].cutoff.points, 1_100_000, '110 points in 1/10,000')
  },
)

t.test('P1: a child a day too young and one a day too old fail the entry-age gate', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['education'])
  // intake 2026: born 2019-09-01 … 2020-08-31. 2020-09-01 is a day too young, 2019-08-31 a day too old.
  const { version } = await allocated(app, auth, { units: [{ id: 's1', name: '一校', seats: 5 }] }, [
    { applicationRef: 'AGE-OK', household: household('330212', { child: { birthDate: '2020-08-31' } }) },
    { applicationRef: 'AGE-YOUNG', household: household('330212', { child: { birthDate: '2020-09-01' } }) },
    { applicationRef: 'AGE-OLD', household: household('330212', { child: { birthDate: '2019-08-31' } }) },
  ])
  tt.equal(outcomeOf(version, 'AGE-OK').outcome, 'placed')
  for (const ref of ['AGE-YOUNG', 'AGE-OLD']) {
    const o = outcomeOf(version, ref)
    tt.equal(o.outcome, 'gate_failed', ref)
    tt.equal(o.gate.id, 'entry_age', ref)
    tt.equal(o.rank, null)
  }
  // seats 5, placed 1: the gate, not the seats, refused them
  tt.equal(version.result.units[0].seatsLeft, 4)
})

t.test('Zhenhai: a family owning a home in Zhenhai is refused at the gate', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['education'])
  // Zhenhai 2026 (policy.md §5): no Zhenhai hukou, no home in Zhenhai, living in Zhenhai, a permit valid at registration
  // (the round's as-of date, 2026-04-30) and still valid at checking (permitCheckDate). The base parent's permit is
  // issued 2015-05-10 and endorsed every 1 May through 2025, so it is valid to 2026-05-09: checking is 2026-05-08.
  const round = {
    district: '330211',
    permitCheckDate: '2026-05-08',
    units: [{ id: 'zh1', name: '镇海区某小学', seats: 2 }],
  }
  // Both applied for points on 2026-03-15, before online enrolment opened (2026-05-01, the window's opening day).
  const { version } = await allocated(app, auth, round, [
    {
      applicationRef: 'Z-RENT',
      household: household('330211', { preferences: ['zh1'], pointsAppliedOn: '2026-03-15' }),
    },
    {
      applicationRef: 'Z-OWNER',
      household: household('330211', {
        preferences: ['zh1'],
        ownsHomeIn: ['330211'],
        pointsAppliedOn: '2026-03-15',
      }),
    },
  ])
  tt.equal(outcomeOf(version, 'Z-RENT').outcome, 'placed')
  const owner = outcomeOf(version, 'Z-OWNER')
  tt.equal(owner.outcome, 'gate_failed')
  tt.equal(owner.gate.id, 'no_home_in_zhenhai')
  tt.match(owner.gate.reason, /产权住房/)
})

t.test('Zhenhai: a family whose points were applied for after the window opened is refused', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['education'])
  // Zhenhai 2026, version 2 (policy.md §5): points applied for before online enrolment opens. The window opens
  // 2026-05-01T09:00+08:00 → enrolmentOpens = 2026-05-01 (Beijing date). Permits as in the test above (checking 2026-05-08).
  //   Z-EARLY applied 2026-04-30: 2026-04-30 < 2026-05-01 → passes every gate → placed (2 seats)
  //   Z-LATE  applied 2026-05-03: 2026-05-03 < 2026-05-01 is false → gate points_applied_before_enrolment fails
  //   Z-NONE  gave no date: the fact is unknown → the same gate fails (the window checks the receipt)
  const round = {
    district: '330211',
    permitCheckDate: '2026-05-08',
    units: [{ id: 'zh1', name: '镇海区某小学', seats: 2 }],
  }
  const { version } = await allocated(app, auth, round, [
    {
      applicationRef: 'Z-EARLY',
      household: household('330211', { preferences: ['zh1'], pointsAppliedOn: '2026-04-30' }),
    },
    {
      applicationRef: 'Z-LATE',
      household: household('330211', { preferences: ['zh1'], pointsAppliedOn: '2026-05-03' }),
    },
    { applicationRef: 'Z-NONE', household: household('330211', { preferences: ['zh1'] }) },
  ])
  tt.equal(outcomeOf(version, 'Z-EARLY').outcome, 'placed')
  for (const ref of ['Z-LATE', 'Z-NONE']) {
    const o = outcomeOf(version, ref)
    tt.equal(o.outcome, 'gate_failed', ref)
    tt.equal(o.gate.id, 'points_applied_before_enrolment', ref)
    tt.match(o.gate.reason, /网上报名开始前/, ref)
  }
  // the seats did not refuse them: 2 seats, 1 placed
  tt.equal(version.result.units[0].seatsLeft, 1)
  tt.same(
    version.rulesets
      .map((r: { id: string }) => r.id)
      .filter((id: string) => id.startsWith('zhenhai-admission')),
    ['zhenhai-admission-2026@2'],
  )
})

t.test('Cixi: two towns, each with its own cut-off, and referrals below it', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['education'])
  // cixi-points-2022, the base parent living and working in Cixi (330282): 90 provincial + 20 city = 110 (district
  // items none). Points are varied by insurance below its cap: from 2023-05 → 36 months × 0.5 = 18 → 98;
  // from 2022-05 → 48 × 0.5 = 24 → 104; from 2020-05 → 72 → 30 → 110.
  //   town A (1 seat): C-A1 110, C-A2 104 → C-A1 placed, cut-off 110; C-A2 referred
  //   town B (2 seats): C-B1 104, C-B2 98, C-B3 98 applied later → C-B1, C-B2 placed (cut-off 98, C-B2); C-B3 referred
  const c = (ref: string, town: string, insuranceFrom: string, appliedAt = '2026-05-05T09:00:00+08:00') => ({
    applicationRef: ref,
    household: household('330282', { insuranceFrom, preferences: [town], appliedAt }),
  })
  const { version } = await allocated(
    app,
    auth,
    {
      district: '330282',
      cutoffScope: 'pool',
      units: [
        { id: 'townA', name: '浒山街道', seats: 1 },
        { id: 'townB', name: '坎墩街道', seats: 2 },
      ],
    },
    [
      c('C-A1', 'townA', '2020-05'),
      c('C-A2', 'townA', '2022-05'),
      c('C-B1', 'townB', '2022-05'),
      c('C-B2', 'townB', '2023-05'),
      c('C-B3', 'townB', '2023-05', '2026-05-06T09:00:00+08:00'),
    ],
  )
  const [a, b] = version.result.units
  tt.same([a.cutoff.ref, a.cutoff.points], ['C-A1', 1_100_000])
  tt.same([b.cutoff.ref, b.cutoff.points], ['C-B2', 980_000])
  tt.equal(outcomeOf(version, 'C-A2').outcome, 'referred')
  tt.equal(outcomeOf(version, 'C-B3').outcome, 'referred')
  tt.same(
    ['C-A1', 'C-B1', 'C-B2'].map((r) => outcomeOf(version, r).placed.unit),
    ['townA', 'townB', 'townB'],
  )
  tt.equal(version.result.summary.referred, 2)
})

t.test('J1: a junior-high round takes children of any age and ranks by points', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['education'])
  // J1 has no age gate. J-HI: 110; J-LO: insurance from 2023-05 → 36 × 0.5 = 18 → 98. One seat → J-HI.
  const j1 = (ref: string, insuranceFrom: string) => ({
    applicationRef: ref,
    household: household('330212', { insuranceFrom, child: { birthDate: '2013-10-01', entryGrade: 'J1' } }),
  })
  const { version } = await allocated(app, auth, { grade: 'J1' }, [
    j1('J-LO', '2023-05'),
    j1('J-HI', '2020-05'),
  ])
  tt.equal(outcomeOf(version, 'J-HI').outcome, 'placed')
  tt.equal(outcomeOf(version, 'J-LO').outcome, 'below_cutoff')
  tt.equal(version.result.units[0].cutoff.points, 1_100_000)
  // a P1 child in a J1 round is a bad row
  const id = await createRound(app, auth, { grade: 'J1' })
  const res = await bulk(app, auth, id, [{ applicationRef: 'P1-IN-J1', household: household('330212') }])
  tt.equal(res.statusCode, 400)
  tt.equal(json(res).errors[0].path, 'body.applications[0].household.child.entryGrade')
})

// ---------------------------------------------------------------- the round's life: applications, versions, publication

/** A valid GB 11643 number for a child born on `birthDate` (region 420102, sequence `seq`). */
function childId(birthDate: string, seq: number): string {
  const first17 = `420102${birthDate.replaceAll('-', '')}${String(seq).padStart(3, '0')}`
  return `${first17}${idCheckChar(first17)}`
}

t.test(
  'bulk applications: a bad row is named by index, applicationRef and field, and nothing is stored',
  async (tt) => {
    const app = await build(tt)
    const auth = await authHeaders(app, ['education'])
    const id = await createRound(app, auth, { units: [{ id: 's1', name: '一校', seats: 3 }] })
    const bad = household('330212', { child: { birthDate: '2019-02-30' } })
    const res = await bulk(app, auth, id, [
      { applicationRef: 'B-1', household: household('330212') },
      { applicationRef: 'B-2', household: bad },
      { applicationRef: 'B-1', household: household('330212') },
    ])
    tt.equal(res.statusCode, 400)
    const body = json(res)
    tt.equal(body.code, 'JIFEN_ERR_VALIDATION')
    tt.same(
      body.errors.map((e: { path: string }) => e.path),
      ['body.applications[1].household.child.birthDate', 'body.applications[2].applicationRef'],
    )
    tt.match(body.errors[0].message, /(row 1|第 1 行) \(applicationRef "B-2"\)/)
    tt.match(body.errors[1].message, /repeats applications\[0\]|与 applications\[0\] 重复/)
    const round = json(await app.inject({ method: 'GET', url: `/v1/admission/rounds/${id}`, headers: auth }))
    tt.equal(round.applications, 0, 'nothing stored')
  },
)

t.test('bulk applications: the same child twice is a 409 naming both refs; late is a 409', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['education'])
  const id = await createRound(app, auth, { units: [{ id: 's1', name: '一校', seats: 3 }] })
  const withId = (ref: string) => {
    const h = household('330212')
    return {
      applicationRef: ref,
      household: { ...h, child: { ...h.child, idNumber: childId('2019-10-01', 7) } },
    }
  }
  tt.equal((await bulk(app, auth, id, [withId('D-1')])).statusCode, 201)
  // the same ID number (keyed hash) in a later request, under another ref
  const again = await bulk(app, auth, id, [withId('D-2')])
  tt.equal(again.statusCode, 409)
  tt.equal(json(again).code, 'JIFEN_ERR_DUPLICATE_APPLICATION')
  tt.match(json(again).detail, /D-2 (and|与) D-1/)
  // without an ID: the same birth date and the same parents, twice in one request
  const h = household('330212')
  const twice = await bulk(app, auth, id, [
    { applicationRef: 'N-1', household: h },
    { applicationRef: 'N-2', household: structuredClone(h) },
  ])
  tt.equal(twice.statusCode, 409)
  tt.match(json(twice).errors[0].message, /N-2 (and|与) N-1/)
  // the ref already taken
  const ref = await bulk(app, auth, id, [{ applicationRef: 'D-1', household: household('330212') }])
  tt.equal(ref.statusCode, 409)
  tt.match(
    json(ref).errors[0].message,
    /applicationRef D-1 is already in the round|申请编号 D-1 已在本批次中/,
  )
  // an application made after the window closed (2026-05-31 17:00 +08:00)
  const late = await bulk(app, auth, id, [
    { applicationRef: 'L-1', household: household('330212', { appliedAt: '2026-05-31T17:00:01+08:00' }) },
  ])
  tt.equal(late.statusCode, 409)
  tt.equal(json(late).code, 'JIFEN_ERR_APPLICATION_LATE')
  // a round whose window closed before now (2026-05-15 10:00 +08:00)
  const closed = await createRound(app, auth, {
    window: { opens: '2026-05-01T09:00:00+08:00', closes: '2026-05-15T09:59:59+08:00' },
  })
  const tooLate = await bulk(app, auth, closed, [{ applicationRef: 'L-2', household: household('330212') }])
  tt.equal(tooLate.statusCode, 409)
  tt.equal(json(tooLate).code, 'JIFEN_ERR_APPLICATION_LATE')
  const round = json(await app.inject({ method: 'GET', url: `/v1/admission/rounds/${id}`, headers: auth }))
  tt.equal(round.applications, 1, 'only D-1 was ever stored')
})

t.test('bulk applications: a retry with the same Idempotency-Key gets the first answer', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['education'])
  const id = await createRound(app, auth)
  const apps = [{ applicationRef: 'I-1', household: household('330212') }]
  const key = { 'idempotency-key': 'bulk-1' }
  const first = await bulk(app, auth, id, apps, key)
  const retry = await bulk(app, auth, id, apps, key)
  tt.equal(first.statusCode, 201)
  tt.equal(retry.statusCode, 201)
  tt.equal(retry.headers['idempotent-replayed'], 'true')
  tt.same(json(retry), json(first))
  const other = await bulk(app, auth, id, [{ applicationRef: 'I-2', household: household('330212') }], key)
  tt.equal(other.statusCode, 409)
  tt.equal(json(other).code, 'JIFEN_ERR_IDEMPOTENCY_CONFLICT')
})

t.test('withdrawal, versions, replay, publication (JSON and CSV), and the audit chain', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['education'])
  const auditor = await authHeaders(app, ['auditor'])
  // three children with ID numbers (the publication masks them to the region code); one seat.
  // P-1: 110 points; P-2: insurance from 2023-05 → 98; P-3: from 2022-05 → 104.
  const withId = (ref: string, seq: number, insuranceFrom: string) => {
    const h = household('330212', { insuranceFrom })
    return {
      applicationRef: ref,
      household: { ...h, child: { ...h.child, idNumber: childId('2019-10-01', seq) } },
    }
  }
  const { id, version: v1 } = await allocated(app, auth, {}, [
    withId('P-1', 1, '2020-05'),
    withId('P-2', 2, '2023-05'),
    withId('P-3', 3, '2022-05'),
  ])
  tt.equal(v1.version, 1)
  tt.match(v1.inputsSha256, /^[0-9a-f]{64}$/)
  tt.equal(outcomeOf(v1, 'P-1').outcome, 'placed')
  // nothing changed: allocating again answers version 1 (200), no new version
  const same = await app.inject({ method: 'POST', url: `/v1/admission/rounds/${id}/allocate`, headers: auth })
  tt.equal(same.statusCode, 200)
  tt.equal(json(same).version, 1)
  // the public list is not there before publication
  const before = await app.inject({ method: 'GET', url: `/v1/admission/rounds/${id}/results/publication` })
  tt.equal(before.statusCode, 404)
  // P-1 withdraws: kept, marked withdrawn
  const del = await app.inject({
    method: 'DELETE',
    url: `/v1/admission/rounds/${id}/applications/P-1`,
    headers: auth,
  })
  tt.equal(del.statusCode, 200)
  tt.equal(json(del).status, 'withdrawn')
  const kept = await app.inject({
    method: 'GET',
    url: `/v1/admission/rounds/${id}/applications/P-1`,
    headers: auditor,
  })
  tt.equal(json(kept).status, 'withdrawn')
  tt.equal(json(kept).idNumberMasked, '420102************')
  // version 2: P-3 (104) now takes the seat; version 1 is unchanged
  const v2 = await app.inject({ method: 'POST', url: `/v1/admission/rounds/${id}/allocate`, headers: auth })
  tt.equal(v2.statusCode, 201)
  tt.equal(json(v2).version, 2)
  tt.not(json(v2).inputsSha256, v1.inputsSha256)
  tt.equal(outcomeOf(json(v2), 'P-3').outcome, 'placed')
  const old = await app.inject({
    method: 'GET',
    url: `/v1/admission/rounds/${id}/results?version=1`,
    headers: auth,
  })
  tt.same(json(old).result, v1.result, 'version 1 never changes')
  // replay of version 1 from its stored inputs
  const replay = await app.inject({
    method: 'POST',
    url: `/v1/admission/rounds/${id}/results/1/replay`,
    headers: auditor,
  })
  tt.same(json(replay), { roundId: id, version: 1, identical: true, inputsIntact: true, differences: [] })
  // listing: by outcome in the newest version, paged
  const placed = await app.inject({
    method: 'GET',
    url: `/v1/admission/rounds/${id}/applications?outcome=below_cutoff`,
    headers: auth,
  })
  tt.same(
    json(placed).applications.map((a: { applicationRef: string }) => a.applicationRef),
    ['P-2'],
  )
  const page1 = json(
    await app.inject({
      method: 'GET',
      url: `/v1/admission/rounds/${id}/applications?limit=2`,
      headers: auth,
    }),
  )
  tt.same(
    page1.applications.map((a: { applicationRef: string }) => a.applicationRef),
    ['P-1', 'P-2'],
  )
  tt.equal(page1.next, 'P-2')
  const page2 = json(
    await app.inject({
      method: 'GET',
      url: `/v1/admission/rounds/${id}/applications?limit=2&after=P-2`,
      headers: auth,
    }),
  )
  tt.same(
    page2.applications.map((a: { applicationRef: string }) => a.applicationRef),
    ['P-3'],
  )
  tt.equal(page2.next, null)
  // publish version 2: frozen
  const pub = await app.inject({
    method: 'POST',
    url: `/v1/admission/rounds/${id}/publish`,
    headers: auth,
    payload: {},
  })
  tt.equal(pub.statusCode, 200)
  tt.equal(json(pub).status, 'published')
  tt.equal(json(pub).publishedVersion, 2)
  const frozen = await app.inject({
    method: 'POST',
    url: `/v1/admission/rounds/${id}/allocate`,
    headers: auth,
  })
  tt.equal(frozen.statusCode, 409)
  tt.equal(json(frozen).code, 'JIFEN_ERR_ROUND_STATE')
  const noWithdraw = await app.inject({
    method: 'DELETE',
    url: `/v1/admission/rounds/${id}/applications/P-2`,
    headers: auth,
  })
  tt.equal(noWithdraw.statusCode, 409)
  // the public list, without a key: refs, region-only masks, placed school, points as decimals
  const list = await app.inject({ method: 'GET', url: `/v1/admission/rounds/${id}/results/publication` })
  tt.equal(list.statusCode, 200)
  tt.same(json(list).rows, [
    {
      applicationRef: 'P-2',
      idNumberMasked: '420102************',
      placed: null,
      outcome: 'below_cutoff',
      points: 98,
    },
    {
      applicationRef: 'P-3',
      idNumberMasked: '420102************',
      placed: 's1',
      outcome: 'placed',
      points: 104,
    },
  ])
  tt.same(json(list).units[0].cutoff.points, 104)
  tt.notOk(list.body.includes(childId('2019-10-01', 3).slice(6)), 'no digit beyond the region code')
  const csv = await app.inject({
    method: 'GET',
    url: `/v1/admission/rounds/${id}/results/publication`,
    headers: { accept: 'text/csv' },
  })
  tt.equal(csv.statusCode, 200)
  tt.match(String(csv.headers['content-type']), /^text\/csv/)
  tt.same([...csv.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark')
  tt.equal(
    csv.rawPayload.subarray(3).toString('utf8'),
    'applicationRef,idNumberMasked,placed,outcome,points\nP-2,420102************,,below_cutoff,98\nP-3,420102************,s1,placed,104\n',
  )
  // every step is in the audit chain
  const audit = json(await app.inject({ method: 'GET', url: '/v1/audit?limit=1000', headers: auditor }))
  const actions = audit.entries
    .map((e: { action: string }) => e.action)
    .filter((a: string) => a.startsWith('round.'))
  tt.same(actions, [
    'round.created',
    'round.applications_stored',
    'round.closed',
    'round.allocated',
    'round.application_withdrawn',
    'round.allocated',
    'round.published',
  ])
})

t.test('rounds: paged list, 404 for an unknown round, states refused with 409', async (tt) => {
  const app = await build(tt)
  const auth = await authHeaders(app, ['education'])
  const a = await createRound(app, auth)
  const b = await createRound(app, auth)
  const page = json(await app.inject({ method: 'GET', url: '/v1/admission/rounds?limit=1', headers: auth }))
  tt.same(
    page.rounds.map((r: { id: string }) => r.id),
    [a],
  )
  tt.equal(page.next, a)
  const rest = json(
    await app.inject({ method: 'GET', url: `/v1/admission/rounds?after=${a}`, headers: auth }),
  )
  tt.same(
    rest.rounds.map((r: { id: string }) => r.id),
    [b],
  )
  tt.equal(rest.rounds[0].status, 'open')
  tt.same(rest.rounds[0].tieBreak, ['points', 'insuranceMonths', 'residenceMonths', 'appliedAt', 'lottery'])
  const missing = await app.inject({
    method: 'GET',
    url: '/v1/admission/rounds/01930b6e-7d3c-7a1f-9e2b-4c5d6e7f8a9b',
    headers: auth,
  })
  tt.equal(missing.statusCode, 404)
  // an open round cannot be allocated or published
  for (const step of ['allocate', 'publish']) {
    const res = await app.inject({ method: 'POST', url: `/v1/admission/rounds/${a}/${step}`, headers: auth })
    tt.equal(res.statusCode, 409, step)
    tt.equal(json(res).code, 'JIFEN_ERR_ROUND_STATE')
  }
  // the as-of date outside the intake year
  const wrongYear = await app.inject({
    method: 'POST',
    url: '/v1/admission/rounds',
    headers: auth,
    payload: roundBody({ asOf: '2025-04-30' }),
  })
  tt.equal(wrongYear.statusCode, 400)
  tt.equal(json(wrongYear).errors[0].path, 'body.asOf')
})
