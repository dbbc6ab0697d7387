// Hand-worked admission rounds for the pure allocator (scoring/allocation.ts), the arithmetic in comments.
import t from 'tap'
import {
  type AllocationApplication,
  AllocationInputError,
  type AllocationResult,
  type AllocationRound,
  allocate,
  compareRefs,
  DEFAULT_TIE_BREAK,
  lotteryKey,
} from '../../scoring/allocation.ts'

/** An eligible application with neutral values; `points` in whole points for readability (× 10,000 here). */
function app(
  ref: string,
  over: Partial<Omit<AllocationApplication, 'points'>> & { points?: number | null } = {},
): AllocationApplication {
  const { points = 100, ...rest } = over
  return {
    ref,
    eligible: true,
    failedGate: null,
    tier: null,
    points: points === null ? null : Math.round(points * 10_000),
    insuranceMonths: 24,
    residenceMonths: 24,
    appliedAt: '2026-04-01T09:00:00+08:00',
    preferences: ['A'],
    ...rest,
  }
}

function round(units: [string, number][], over: Partial<AllocationRound> = {}): AllocationRound {
  return {
    units: units.map(([id, seats]) => ({ id, name: `学校${id}`, seats })),
    cutoffScope: 'school',
    tieBreak: [...DEFAULT_TIE_BREAK],
    lotterySeed: 'yinzhou-2026-P1',
    ...over,
  }
}

const outcome = (r: AllocationResult, ref: string) => {
  const o = r.applications.find((a) => a.ref === ref)
  if (!o) throw new Error(`no outcome for ${ref}`)
  return o
}
const unit = (r: AllocationResult, id: string) => {
  const u = r.units.find((x) => x.id === id)
  if (!u) throw new Error(`no unit ${id}`)
  return u
}
/** refs in rank order */
const ranked = (r: AllocationResult) =>
  r.applications
    .filter((a) => a.rank !== null)
    .sort((a, b) => (a.rank as number) - (b.rank as number))
    .map((a) => a.ref)

t.test(
  'a priority-tier child with 0 points is placed before a migrant child with 150 (Yinzhou)',
  async (t) => {
    // Yinzhou 2023 (policy.md §5): local hukou or a parent-owned home in Yinzhou is tier 1, placed first;
    // the rest by points. One seat at A: tier 1 beats no tier before points are looked at, so
    // HUKOU (tier 1, 0 points) is rank 1 and takes the seat; MIGRANT (no tier, 150 points) is rank 2, finds
    // A full and is below its cut-off, which is HUKOU's values: tier 1, 0 points.
    const r = allocate(round([['A', 1]]), [
      app('MIGRANT', { points: 150 }),
      app('HUKOU', { tier: 1, points: 0 }),
    ])
    t.same(ranked(r), ['HUKOU', 'MIGRANT'])
    t.same(outcome(r, 'HUKOU').placed, { unit: 'A', preferenceRank: 1 })
    t.equal(outcome(r, 'MIGRANT').outcome, 'below_cutoff')
    t.same(outcome(r, 'MIGRANT').refusals, [
      { preferenceRank: 1, unit: 'A', refusal: 'below_cutoff', cutoffRank: 1 },
    ])
    t.same(unit(r, 'A').cutoff, {
      rank: 1,
      ref: 'HUKOU',
      tier: 1,
      points: 0,
      tieBreak: [
        { key: 'points', value: 0 },
        { key: 'insuranceMonths', value: 24 },
        { key: 'residenceMonths', value: 24 },
        { key: 'appliedAt', value: '2026-04-01T09:00:00+08:00' },
        {
          key: 'lottery',
          // printf '%s' 'yinzhou-2026-P1:HUKOU' | sha256sum
          value: '081847e583476ca1b50fb7b4fff4157bd9eb6e59148a549a23b3b41a564e31c9',
        },
      ],
    })
    // tier 2 before no tier, tier 1 before tier 2, whatever the points
    const r2 = allocate(round([['A', 3]]), [
      app('NONE', { points: 300 }),
      app('T2', { tier: 2, points: 10 }),
      app('T1', { tier: 1, points: 5 }),
    ])
    t.same(ranked(r2), ['T1', 'T2', 'NONE'])
  },
)

t.test(
  'an exact tie on points is broken by insurance, residence, application time, then the lottery',
  async (t) => {
    // Five households at 120.5 points each (1,205,000 in 1/10,000), one school with 4 seats, default order.
    //   YZ-0001: insurance 60 months, the others 48            → first on insurance months (60 > 48)
    //   YZ-0002: residence 70 months, the other three 50       → second on residence months (70 > 50)
    //   YZ-0003: applied 2026-04-01T09:00:00+08:00 = 01:00Z     → third: earlier than the last two
    //   YZ-0004: applied 2026-04-02T10:00:00+08:00 = 02:00Z on 2 April
    //   YZ-0005: applied 2026-04-02T02:00:00Z, the same instant written in UTC: still tied, so the lottery:
    //     printf '%s' 'yinzhou-2026-P1:YZ-0004' | sha256sum → c778f152f1b799f0eb4ed2255dd6715110d5d999ec195a52a1c45c4eed33542c
    //     printf '%s' 'yinzhou-2026-P1:YZ-0005' | sha256sum → 3f2cb6bc68011f55920f1468b8228a8f722a4aa76013f405f9bb987dcb8eeb8a
    //   '3f…' < 'c7…', so YZ-0005 ranks fourth and takes the last seat, although its ref sorts after YZ-0004's.
    const tied = { points: 120.5, insuranceMonths: 48, residenceMonths: 50 }
    const r = allocate(round([['A', 4]]), [
      app('YZ-0004', { ...tied, appliedAt: '2026-04-02T10:00:00+08:00' }),
      app('YZ-0002', { ...tied, residenceMonths: 70, appliedAt: '2026-04-03T00:00:00+08:00' }),
      app('YZ-0005', { ...tied, appliedAt: '2026-04-02T02:00:00Z' }),
      app('YZ-0001', {
        ...tied,
        insuranceMonths: 60,
        residenceMonths: 10,
        appliedAt: '2026-04-09T00:00:00Z',
      }),
      app('YZ-0003', { ...tied, appliedAt: '2026-04-01T09:00:00+08:00' }),
    ])
    t.same(ranked(r), ['YZ-0001', 'YZ-0002', 'YZ-0003', 'YZ-0005', 'YZ-0004'])
    t.equal(
      lotteryKey('yinzhou-2026-P1', 'YZ-0004'),
      'c778f152f1b799f0eb4ed2255dd6715110d5d999ec195a52a1c45c4eed33542c',
    )
    t.equal(
      lotteryKey('yinzhou-2026-P1', 'YZ-0005'),
      '3f2cb6bc68011f55920f1468b8228a8f722a4aa76013f405f9bb987dcb8eeb8a',
    )
    t.equal(outcome(r, 'YZ-0004').outcome, 'below_cutoff')
    t.same(unit(r, 'A').cutoff, {
      rank: 4,
      ref: 'YZ-0005',
      tier: null,
      points: 1_205_000,
      tieBreak: [
        { key: 'points', value: 1_205_000 },
        { key: 'insuranceMonths', value: 48 },
        { key: 'residenceMonths', value: 50 },
        { key: 'appliedAt', value: '2026-04-02T02:00:00Z' },
        { key: 'lottery', value: '3f2cb6bc68011f55920f1468b8228a8f722a4aa76013f405f9bb987dcb8eeb8a' },
      ],
    })
    t.same(unit(r, 'A'), { ...unit(r, 'A'), seats: 4, placed: 4, seatsLeft: 0 })
  },
)

t.test("the round's key order is the order used; ref is the last, implicit key", async (t) => {
  // Keys [residenceMonths, points], no lottery: B (residence 90, 100 points) before A (residence 30, 200
  // points) although A has more points; C and D tie on both, so ref decides: 'C' < 'D'.
  const r = allocate(round([['A', 9]], { tieBreak: ['residenceMonths', 'points'] }), [
    app('D', { residenceMonths: 30, points: 50 }),
    app('A', { residenceMonths: 30, points: 200 }),
    app('C', { residenceMonths: 30, points: 50 }),
    app('B', { residenceMonths: 90, points: 100 }),
  ])
  t.same(ranked(r), ['B', 'A', 'C', 'D'])
  // the cut-off shows the round's keys only, in its order
  t.same(unit(r, 'A').cutoff?.tieBreak, [
    { key: 'residenceMonths', value: 30 },
    { key: 'points', value: 500_000 },
  ])
  // no keys at all: tier, then ref
  const r2 = allocate(round([['A', 9]], { tieBreak: [] }), [app('b', { points: 1 }), app('a', { points: 0 })])
  t.same(ranked(r2), ['a', 'b'])
})

t.test('nulls rank last: no points below any number, no application time after any time', async (t) => {
  // points −3 (a deduction made the total negative) still ranks above null points
  const r = allocate(round([['A', 9]]), [
    app('NULL', { points: null }),
    app('NEG', { points: -3 }),
    app('ZERO', { points: 0 }),
  ])
  t.same(ranked(r), ['ZERO', 'NEG', 'NULL'])
  const r2 = allocate(round([['A', 9]], { tieBreak: ['appliedAt'] }), [
    app('NONE', { appliedAt: null }),
    app('LATE', { appliedAt: '2026-05-31T23:59:59+08:00' }),
  ])
  t.same(ranked(r2), ['LATE', 'NONE'])
})

t.test('application times compare as instants, exactly', async (t) => {
  // 2026-04-01T05:00:00Z sorts before 2026-04-01T09:00:00+08:00 as text, but is the later instant
  // (09:00 at +08:00 is 01:00Z). Fractions: .49 s before .5 s; ten digits still compare exactly
  // (.1234567891 before .1234567892, which a double of milliseconds would not tell apart).
  const r = allocate(round([['A', 9]], { tieBreak: ['appliedAt'] }), [
    app('UTC5', { appliedAt: '2026-04-01T05:00:00Z' }),
    app('CST9', { appliedAt: '2026-04-01T09:00:00+08:00' }),
    app('HALF', { appliedAt: '2026-04-01T06:00:00.5Z' }),
    app('49', { appliedAt: '2026-04-01T06:00:00.49Z' }),
    app('X2', { appliedAt: '2026-04-01T07:00:00.1234567892Z' }),
    app('X1', { appliedAt: '2026-04-01T07:00:00.1234567891Z' }),
    app('X0', { appliedAt: '2026-04-01T07:00:00.12345678910Z' }), // = X1: ties, then ref 'X0' < 'X1'
  ])
  t.same(ranked(r), ['CST9', 'UTC5', '49', 'HALF', 'X0', 'X1', 'X2'])
})

t.test('second and third preferences', async (t) => {
  // Three schools of 1 seat; four households listing A, B, C in that order, 200 > 150 > 100 > 50 points.
  //   rank 1 (200): A has a seat → A, preference 1
  //   rank 2 (150): A full (its cut-off is rank 1) → B, preference 2
  //   rank 3 (100): A full (rank 1), B full (rank 2) → C, preference 3
  //   rank 4 (50):  all three full → below the cut-off of each: ranks 1, 2, 3
  const prefs = ['A', 'B', 'C']
  const r = allocate(
    round([
      ['A', 1],
      ['B', 1],
      ['C', 1],
    ]),
    [
      app('P50', { points: 50, preferences: prefs }),
      app('P100', { points: 100, preferences: prefs }),
      app('P150', { points: 150, preferences: prefs }),
      app('P200', { points: 200, preferences: prefs }),
    ],
  )
  t.same(outcome(r, 'P200').placed, { unit: 'A', preferenceRank: 1 })
  t.same(outcome(r, 'P150').placed, { unit: 'B', preferenceRank: 2 })
  t.same(outcome(r, 'P100').placed, { unit: 'C', preferenceRank: 3 })
  // a placed child carries no refusals: why not A for P150 is A's cut-off, rank 1, ahead of its rank 2
  t.same(outcome(r, 'P150').refusals, [])
  t.same(outcome(r, 'P50'), {
    ref: 'P50',
    rank: 4,
    outcome: 'below_cutoff',
    placed: null,
    gate: null,
    refusals: [
      { preferenceRank: 1, unit: 'A', refusal: 'below_cutoff', cutoffRank: 1 },
      { preferenceRank: 2, unit: 'B', refusal: 'below_cutoff', cutoffRank: 2 },
      { preferenceRank: 3, unit: 'C', refusal: 'below_cutoff', cutoffRank: 3 },
    ],
    ignoredPreferences: [],
  })
  t.same(
    r.units.map((u) => [u.id, u.placed, u.seatsLeft, u.cutoff?.ref]),
    [
      ['A', 1, 0, 'P200'],
      ['B', 1, 0, 'P150'],
      ['C', 1, 0, 'P100'],
    ],
  )
  t.same(r.summary, {
    applications: 4,
    ranked: 4,
    placed: 3,
    gateFailed: 0,
    belowCutoff: 1,
    referred: 0,
    noPreferences: 0,
    seats: 3,
    seatsLeft: 0,
  })
})

t.test('a school with 0 seats', async (t) => {
  // Z has no seats this year: nobody is placed there (cut-off null) and it refuses with no_seats, not a
  // cut-off. HIGH lists Z then B → B, preference 2. LOW lists only Z → not placed: no_seats.
  // B keeps one seat, so its cut-off is HIGH (rank 1) although it is not full.
  const r = allocate(
    round([
      ['Z', 0],
      ['B', 2],
    ]),
    [app('HIGH', { points: 90, preferences: ['Z', 'B'] }), app('LOW', { points: 10, preferences: ['Z'] })],
  )
  t.same(outcome(r, 'HIGH').placed, { unit: 'B', preferenceRank: 2 })
  t.equal(outcome(r, 'LOW').outcome, 'below_cutoff')
  t.same(outcome(r, 'LOW').refusals, [
    { preferenceRank: 1, unit: 'Z', refusal: 'no_seats', cutoffRank: null },
  ])
  t.same(unit(r, 'Z'), { id: 'Z', name: '学校Z', seats: 0, placed: 0, seatsLeft: 0, cutoff: null })
  t.same([unit(r, 'B').placed, unit(r, 'B').seatsLeft, unit(r, 'B').cutoff?.ref], [1, 1, 'HIGH'])
})

t.test('Cixi: two towns, each with its own cut-off, and referrals to private schools', async (t) => {
  // cutoffScope pool: each unit is a town (policy.md §5: each town sets a cut-off from its seats; those
  // below go to private migrant-children schools). 浒山 has 2 seats, 坎墩 1. Overall ranks by points:
  //   1 HS-1 130 (浒山), 2 KD-1 120 (坎墩), 3 HS-2 110 (浒山), 4 KD-2 100 (坎墩), 5 HS-3 95 (浒山)
  //   浒山: HS-1, HS-2 placed; cut-off rank 3 (110 points); HS-3 (rank 5) referred
  //   坎墩: KD-1 placed; cut-off rank 2 (120 points); KD-2 (rank 4) referred, although its 100 points
  //         beat HS-3's 95: the cut-offs are per town
  //   NOPERMIT fails the permit gate: not ranked, not referred
  const town = (p: string) => ({ preferences: [p] })
  const r = allocate(
    round(
      [
        ['浒山', 2],
        ['坎墩', 1],
      ],
      { cutoffScope: 'pool', lotterySeed: '慈溪-2026' },
    ),
    [
      app('HS-3', { points: 95, ...town('浒山') }),
      app('KD-2', { points: 100, ...town('坎墩') }),
      app('HS-1', { points: 130, ...town('浒山') }),
      app('KD-1', { points: 120, ...town('坎墩') }),
      app('HS-2', { points: 110, ...town('浒山') }),
      app('NOPERMIT', {
        points: 140,
        eligible: false,
        failedGate: { id: 'permit', label: '持有效浙江省居住证', reason: 'no valid permit on 2026-04-30' },
        ...town('浒山'),
      }),
    ],
  )
  t.same(ranked(r), ['HS-1', 'KD-1', 'HS-2', 'KD-2', 'HS-3'])
  t.same(
    r.units.map((u) => [u.id, u.placed, u.cutoff?.rank, u.cutoff?.points]),
    [
      ['浒山', 2, 3, 1_100_000],
      ['坎墩', 1, 2, 1_200_000],
    ],
  )
  t.same(
    [outcome(r, 'HS-3').outcome, outcome(r, 'HS-3').refusals],
    ['referred', [{ preferenceRank: 1, unit: '浒山', refusal: 'below_cutoff', cutoffRank: 3 }]],
  )
  t.same(
    [outcome(r, 'KD-2').outcome, outcome(r, 'KD-2').refusals],
    ['referred', [{ preferenceRank: 1, unit: '坎墩', refusal: 'below_cutoff', cutoffRank: 2 }]],
  )
  t.same(outcome(r, 'NOPERMIT'), {
    ref: 'NOPERMIT',
    rank: null,
    outcome: 'gate_failed',
    placed: null,
    gate: { id: 'permit', label: '持有效浙江省居住证', reason: 'no valid permit on 2026-04-30' },
    refusals: [],
    ignoredPreferences: [],
  })
  t.same([r.summary.referred, r.summary.belowCutoff, r.summary.gateFailed], [2, 0, 1])
})

t.test('a points-settlement quota round: one pool, no tiers, the first quota settle', async (t) => {
  // policy.md §3.4/§4 (shape of Jiangbei 2020): applicants over the threshold are ranked by points and the
  // first `quota` settle. The service turns the threshold into a gate; here the quota is 2.
  //   JB-4: 8 points < threshold 10 → gate_failed
  //   JB-1 14.2, JB-2 12.5, JB-3 11 → ranks 1, 2, 3; the quota takes JB-1 and JB-2; JB-3 is below the
  //   cut-off (12.5 points, rank 2). Scope 'school': nobody is referred anywhere.
  const quota = { preferences: ['quota-2026'] }
  const r = allocate(round([['quota-2026', 2]], { lotterySeed: 'jiangbei-2026' }), [
    app('JB-3', { points: 11, ...quota }),
    app('JB-1', { points: 14.2, ...quota }),
    app('JB-4', {
      points: 8,
      eligible: false,
      failedGate: { id: 'threshold', label: '积分达到落户分值', reason: '8 < 10' },
      ...quota,
    }),
    app('JB-2', { points: 12.5, ...quota }),
  ])
  t.same(
    r.applications.map((a) => [a.ref, a.rank, a.outcome]),
    [
      ['JB-1', 1, 'placed'],
      ['JB-2', 2, 'placed'],
      ['JB-3', 3, 'below_cutoff'],
      ['JB-4', null, 'gate_failed'],
    ],
  )
  t.same([unit(r, 'quota-2026').placed, unit(r, 'quota-2026').cutoff?.points], [2, 125_000])
})

t.test('unknown and repeated preferences are ignored for placement and reported', async (t) => {
  // The family's form: 1 'NOPE' (no such school), 2 'A' (full), 3 'A' again, 4 'B'. Placement tries A
  // then B; B is preference 4 on the form, and the ignored list keeps form positions.
  const r = allocate(
    round([
      ['A', 1],
      ['B', 1],
    ]),
    [
      app('FIRST', { points: 99, preferences: ['A'] }),
      app('FORM', { points: 50, preferences: ['NOPE', 'A', 'A', 'B'] }),
      app('ONLYBAD', { points: 40, preferences: ['NOPE', 'ALSO-NOPE'] }),
      app('EMPTY', { points: 30, preferences: [] }),
      app('LATE', { points: 20, preferences: ['NOPE', 'A', 'A'] }),
    ],
  )
  t.same(outcome(r, 'FORM').placed, { unit: 'B', preferenceRank: 4 })
  // not placed: the refusals keep form positions too (A is preference 2 of LATE's form)
  t.same(outcome(r, 'LATE').refusals, [
    { preferenceRank: 2, unit: 'A', refusal: 'below_cutoff', cutoffRank: 1 },
  ])
  t.same(outcome(r, 'FORM').ignoredPreferences, [
    { preferenceRank: 1, unit: 'NOPE', why: 'unknown_unit' },
    { preferenceRank: 3, unit: 'A', why: 'duplicate' },
  ])
  // ranked (eligible), but no unit of the round listed: no_preferences, not a cut-off
  t.same([outcome(r, 'ONLYBAD').outcome, outcome(r, 'ONLYBAD').rank], ['no_preferences', 3])
  t.equal(outcome(r, 'ONLYBAD').ignoredPreferences.length, 2)
  t.same([outcome(r, 'EMPTY').outcome, outcome(r, 'EMPTY').rank], ['no_preferences', 4])
  t.equal(r.summary.noPreferences, 2)
})

t.test('outcomes come by ref in code point order, whatever order the applications arrive in', async (t) => {
  // 'A\u{FF21}' (fullwidth A, U+FF21) and 'A\u{1F600}' (an emoji, U+1F600): by code point (and UTF-8
  // bytes EF BC A1 < F0 9F 98 80) U+FF21 comes first; JavaScript's `<` compares UTF-16 units and would put
  // the emoji's high surrogate D83D before FF21.
  const refs = ['b', 'A\u{1F600}', 'a', 'A\u{FF21}', 'A', '甲-001']
  const apps = refs.map((ref, i) => app(ref, { points: i }))
  const r = allocate(round([['A', 2]]), apps)
  const expected = ['A', 'A\u{FF21}', 'A\u{1F600}', 'a', 'b', '甲-001']
  t.same(
    r.applications.map((a) => a.ref),
    expected,
  )
  t.ok(compareRefs('A\u{FF21}', 'A\u{1F600}') < 0)
  t.ok('A\u{1F600}' < 'A\u{FF21}', "JavaScript's own order differs here")
  t.equal(JSON.stringify(allocate(round([['A', 2]]), [...apps].reverse())), JSON.stringify(r))
})

t.test('the lottery key is SHA-256 of seed:ref in UTF-8, as anyone can recompute', async (t) => {
  // printf '%s' '慈溪-2026:甲-001' | sha256sum (UTF-8 bytes e6 85 88 e6 ba aa 2d 32 30 32 36 3a e7 94 b2 …)
  t.equal(
    lotteryKey('慈溪-2026', '甲-001'),
    '664e35c39fcfe5e93b1ce93796aaaba945a779a1b61977fd850daf5e0a125912',
  )
})

t.test('bad input is an AllocationInputError with the path of each problem', async (t) => {
  const bad = (r: AllocationRound, apps: AllocationApplication[]) => {
    try {
      allocate(r, apps)
    } catch (err) {
      if (err instanceof AllocationInputError) return err
      throw err
    }
    throw new Error('no error')
  }
  let e = bad(round([['A', 1]]), [app('X'), app('Y'), app('X')])
  t.equal(e.path, 'applications[2].ref')
  t.match(e.message, /duplicate ref "X" \(also applications\[0\]\)/)
  t.equal(e.name, 'AllocationInputError')

  e = bad(
    round([
      ['A', 1],
      ['A', 2],
    ]),
    [],
  )
  t.same(e.issues, [{ path: 'round.units[1].id', message: 'duplicate unit id "A" (also round.units[0])' }])

  e = bad(round([['A', -1]]), [])
  t.same(e.issues, [{ path: 'round.units[0].seats', message: 'expected an integer ≥ 0' }])

  e = bad(round([['A', 1]], { tieBreak: ['points', 'age' as never] }), [])
  t.equal(e.path, 'round.tieBreak[1]')
  t.match(e.message, /unknown tie-break key "age"/)

  e = bad(round([['A', 1]], { tieBreak: ['points', 'lottery', 'points'] }), [])
  t.same(e.issues, [
    { path: 'round.tieBreak[2]', message: 'duplicate key "points" (also round.tieBreak[0])' },
  ])

  e = bad(round([['A', 1]], { lotterySeed: '' }), [])
  t.equal(e.path, 'round.lotterySeed')

  // every problem of the applications at once, each with its path
  e = bad(round([['A', 1]]), [
    app('OK'),
    {
      ...app('BAD'),
      tier: 0,
      points: 1.5,
      insuranceMonths: -1,
      appliedAt: '2026-02-30T09:00:00+08:00',
      eligible: false,
      failedGate: null,
    },
    { ...app('GATE'), failedGate: { id: 'g', label: 'l', reason: 'r' } },
    { ...app(''), preferences: 'A' as never },
  ])
  t.same(
    e.issues.map((i) => i.path),
    [
      'applications[1].failedGate',
      'applications[1].tier',
      'applications[1].points',
      'applications[1].insuranceMonths',
      'applications[1].appliedAt',
      'applications[2].failedGate',
      'applications[3].ref',
      'applications[3].preferences',
    ],
  )
  // a ref that is not well-formed Unicode would hash as U+FFFD and share a lottery ticket
  e = bad(round([['A', 1]]), [app('\ud800')])
  t.same(e.issues, [{ path: 'applications[0].ref', message: 'not well-formed Unicode' }])
  // instants: no hour 24, no leap second, an offset is required
  for (const at of [
    '2026-04-01T24:00:00Z',
    '2026-04-01T23:59:60Z',
    '2026-04-01T09:00:00',
    '2026-04-01 09:00:00Z',
  ])
    t.equal(bad(round([['A', 1]]), [app('X', { appliedAt: at })]).path, 'applications[0].appliedAt', at)
})

t.test('the inputs are not modified', async (t) => {
  const r = round([['A', 1]])
  const apps = [app('B', { points: 1 }), app('A', { points: 2 })]
  const before = JSON.stringify({ r, apps })
  allocate(r, apps)
  t.equal(JSON.stringify({ r, apps }), before)
})
