// The projection chart (src/web/chart.js) on hand data: positions by calendar day and score, the target line, the reached date, escaping.
import t from 'tap'
import {
  dayNumber,
  escapeXml,
  MARGIN,
  niceScale,
  type Projection,
  projectionChart,
} from '../../src/web/chart.js'

const LABELS = {
  title: '未来各月末的积分预测',
  description: '从 2026-04-30 的 100 分到 2026-07-31 的 104 分。',
  target: '目标 {points} 分',
  reached: '{date} 达到',
  point: '{date}：{total} 分',
  notEligible: '（不可用于申请）',
}

/** The numbers of an SVG attribute on every element that has it, in document order. */
function attr(svg: string, tag: string, name: string): string[] {
  return [...svg.matchAll(new RegExp(`<${tag}\\b[^>]*\\b${name}="([^"]*)"`, 'g'))].map((m) => m[1])
}

// Four month-ends. With width 400 and height 232 the plot is 400 − 44 − 16 = 340 px wide and
// 232 − 16 − 32 = 184 px high (MARGIN). Days after 2026-04-30: 05-31 → 31, 06-30 → 61, 07-31 → 92.
const FOUR: Projection = {
  from: '2026-04-30',
  to: '2026-07-31',
  points: [
    { date: '2026-04-30', total: 100, eligible: true },
    { date: '2026-05-31', total: 101, eligible: true },
    { date: '2026-06-30', total: 102, eligible: false },
    { date: '2026-07-31', total: 104, eligible: true },
  ],
  target: { points: 110, by: null, reachedOn: null, reason: '各项均已封顶' },
}

t.test('the margins the hand figures below assume', async (tt) => {
  tt.same(MARGIN, { top: 16, right: 16, bottom: 32, left: 44 })
})

t.test('points sit at their calendar day and score; the target is a line at its score', async (tt) => {
  const svg = projectionChart(FOUR, { width: 400, height: 232, labels: LABELS })
  // y axis: scores 100..110 (the target) in steps of 5 → y = 16 + (110 − v) / 10 × 184
  //   100 → 200, 101 → 181.6, 102 → 163.2, 104 → 126.4, 110 → 16
  // x axis: x = 44 + day / 92 × 340 → 0 → 44, 31 → 158.57, 61 → 269.43, 92 → 384
  tt.equal(
    attr(svg, 'path', 'd')[0],
    'M44 200 L158.57 181.6 L269.43 163.2 L384 126.4',
    'the score line joins the month-ends',
  )
  tt.same(attr(svg, 'circle', 'cx'), ['44', '158.57', '269.43', '384'])
  tt.same(
    attr(svg, 'circle', 'class'),
    ['point', 'point', 'point not-eligible', 'point'],
    'not eligible: hollow',
  )
  tt.same(
    attr(svg, 'line', 'class'),
    ['grid', 'grid', 'grid', 'target'],
    'grid at 100, 105, 110; no reached line',
  )
  tt.same(attr(svg, 'line', 'y1'), ['200', '108', '16', '16'])
  tt.match(svg, '>目标 110 分</text>')
  tt.match(svg, '<title>2026-06-30：102 分 （不可用于申请）</title>')
  tt.match(svg, /^<svg [^>]*viewBox="0 0 400 232" width="400" height="232" role="img"/)
  tt.match(svg, '<title id="projection-title">未来各月末的积分预测</title>')
  tt.notMatch(svg, /<script|href=|url\(/, 'nothing to run or fetch')
})

t.test('a reached target: a vertical line at its date and the date written beside it', async (tt) => {
  const projection: Projection = {
    ...FOUR,
    target: { points: 102, by: null, reachedOn: '2026-06-15', reason: null },
  }
  const svg = projectionChart(projection, { width: 400, height: 232, labels: LABELS })
  // scores 100..104 in steps of 1 → y = 16 + (104 − v) / 4 × 184: the target 102 → 108
  // 2026-06-15 is day 46 of 92 → x = 44 + 46 / 92 × 340 = 214
  const lines = attr(svg, 'line', 'class')
  const reached = lines.indexOf('reached')
  tt.ok(reached > 0, 'a reached line')
  tt.equal(attr(svg, 'line', 'x1')[reached], '214')
  tt.equal(attr(svg, 'line', 'y1')[lines.indexOf('target')], '108')
  const dots = attr(svg, 'circle', 'class')
  tt.equal(attr(svg, 'circle', 'cx')[dots.indexOf('reached-point')], '214')
  tt.equal(attr(svg, 'circle', 'cy')[dots.indexOf('reached-point')], '108')
  tt.match(svg, '>2026-06-15 达到</text>')
})

t.test('no target: no target or reached line', async (tt) => {
  const svg = projectionChart({ ...FOUR, target: null }, { width: 400, height: 232, labels: LABELS })
  tt.same([...new Set(attr(svg, 'line', 'class'))], ['grid'])
  tt.notMatch(svg, '目标')
})

t.test(
  'axis labels: the first month, each new year with room for it, the last month with room',
  async (tt) => {
    // 37 month-ends from 2026-04-30 to 2029-04-30 on a 600 px chart (540 px of plot, 1,096 days)
    const points = []
    for (let i = 0; i <= 36; i++) {
      const month = 3 + i // 0-based month index from January 2026
      const y = 2026 + Math.floor(month / 12)
      const m = (month % 12) + 1
      const last = new Date(Date.UTC(y, m, 0)).getUTCDate()
      points.push({ date: `${y}-${String(m).padStart(2, '0')}-${last}`, total: 100 + i / 4, eligible: true })
    }
    const svg = projectionChart(
      { from: points[0].date, to: points[36].date, points, target: null },
      { width: 600, height: 300, labels: LABELS },
    )
    const xLabels = [...svg.matchAll(/<text class="axis" x="[^"]*" y="286"[^>]*>([^<]*)</g)].map((m) => m[1])
    // 2029-04 is 89 days (about 44 px) after the 2029-01 label: too close to write
    tt.same(xLabels, ['2026-04', '2027-01', '2028-01', '2029-01'])
    tt.equal(attr(svg, 'circle', 'cx').length, 37, 'a point per month-end')
  },
)

t.test('one point: drawn in the middle; no points: no chart', async (tt) => {
  const one: Projection = {
    from: '2026-04-30',
    to: '2026-04-30',
    points: [{ date: '2026-04-30', total: 100, eligible: true }],
    target: null,
  }
  const svg = projectionChart(one, { width: 400, height: 232, labels: LABELS })
  // x = 44 + 340 / 2; a flat series gets one step either side: 50..150 (step 50), 100 in the middle
  tt.same(attr(svg, 'circle', 'cx'), ['214'])
  tt.same(attr(svg, 'circle', 'cy'), ['108'])
  tt.equal(projectionChart({ ...one, points: [] }, { width: 400, height: 232, labels: LABELS }), '')
})

t.test('every text is escaped: labels and dates cannot become markup', async (tt) => {
  const hostile = {
    ...LABELS,
    title: '<script>alert(1)</script>',
    target: '"><img src=x onerror=alert(1)> {points}',
  }
  const svg = projectionChart(FOUR, { width: 400, height: 232, labels: hostile })
  tt.notMatch(svg, '<script>')
  tt.notMatch(svg, '<img')
  tt.match(svg, '&#60;script&#62;alert(1)&#60;/script&#62;')
  tt.equal(escapeXml(`a&b<c>"d'`), 'a&#38;b&#60;c&#62;&#34;d&#39;')
})

t.test('nice scales: 1, 2 or 5 × 10^k steps covering the data', async (tt) => {
  tt.same(niceScale(100, 110), { min: 100, max: 110, step: 5 }, 'span 10 / 4 = 2.5 → step 5')
  tt.same(niceScale(107.5, 125), { min: 105, max: 125, step: 5 }, 'span 17.5 / 4 = 4.4 → step 5')
  tt.same(niceScale(100, 104), { min: 100, max: 104, step: 1 })
  tt.same(niceScale(0.5, 1.25), { min: 0.4, max: 1.4, step: 0.2 }, 'span 0.75 / 4 = 0.19 → step 0.2')
  tt.same(niceScale(100, 100), { min: 50, max: 150, step: 50 }, 'flat: 100 / 4 = 25 → step 50, widened')
})

t.test('day numbers are calendar arithmetic: every day 1900–2100 agrees with UTC dates', async (tt) => {
  tt.equal(dayNumber('1970-01-01'), 0)
  tt.equal(dayNumber('2026-04-30'), 20573)
  const MS_PER_DAY = 86_400_000
  let wrong = 0
  for (let d = Date.UTC(1900, 0, 1) / MS_PER_DAY; d <= Date.UTC(2100, 11, 31) / MS_PER_DAY; d++) {
    if (dayNumber(new Date(d * MS_PER_DAY).toISOString().slice(0, 10)) !== d) wrong++
  }
  tt.equal(wrong, 0)
})
