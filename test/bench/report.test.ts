// The bench runner's BENCHMARKS.md writer: figures → product.md's bars with PASS / not met / not measured, and the splice between markers.
import t from 'tap'
import { fig } from '../../bench/lib/figures.ts'
import {
  type BenchRun,
  END,
  judgeBars,
  type RunReport,
  renderSection,
  START,
  spliceSection,
} from '../../bench/lib/report.ts'

const run = (name: string, figures: BenchRun['figures'], status: BenchRun['status'] = 'ok'): BenchRun => ({
  name,
  command: `npx tsx bench/${name}.bench.ts`,
  status,
  exitCode: status === 'ok' ? 0 : null,
  seconds: 12,
  budgetSeconds: 60,
  figures,
})

const runs: BenchRun[] = [
  run('engine', [
    fig({ id: 'engine.bundle.vs_jre', label: 'vs jre', value: 25, unit: '×', bar: { op: '>=', value: 20 } }),
    fig({
      id: 'engine.bundle.vs_zen',
      label: 'vs zen',
      value: 4,
      unit: '×',
      bar: { op: '>=', value: 5 },
      note: 'zen is close. Next: profile explain().',
    }),
    fig({ id: 'engine.tsx.vs_jre', label: 'vs jre on tsx', value: 3, unit: '×' }),
  ]),
  // the population and admission benches are other helpers' files: matched by shape, not by exact id
  run('population', [
    fig({ id: 'population.score_1m', label: 'score', value: 1.2, unit: 's', bar: { op: '<=', value: 1.5 } }),
    fig({ id: 'population.derive_1m', label: 'derive', value: 4, unit: 's' }),
    fig({ id: 'population.peak_rss', label: 'rss', value: 1.7, unit: 'GB', bar: { op: '<=', value: 1.5 } }),
  ]),
  run('admission', [
    fig({
      id: 'admission.allocate_100k',
      label: 'allocate',
      value: 0.2,
      unit: 's',
      bar: { op: '<=', value: 0.25 },
    }),
    fig({ id: 'admission.bulk_10k', label: 'bulk', value: 1.5, unit: 's', bar: { op: '<=', value: 2 } }),
  ]),
  run('http', [], 'killed'),
  run('hostile', [
    fig({ id: 'hostile.x_ms', label: 'x', value: 300, unit: 'ms', bar: { op: '<=', value: 200 } }),
  ]),
]

t.test('fig computes pass from the bar, whatever a bench would claim', async (t) => {
  t.equal(fig({ id: 'a', label: 'a', value: 5, unit: 'µs', bar: { op: '<=', value: 5 } }).pass, true)
  t.equal(fig({ id: 'a', label: 'a', value: 5.01, unit: 'µs', bar: { op: '<=', value: 5 } }).pass, false)
  t.equal(fig({ id: 'a', label: 'a', value: 19.9, unit: '×', bar: { op: '>=', value: 20 } }).pass, false)
  t.equal(fig({ id: 'a', label: 'a', value: 1, unit: '' }).pass, undefined, 'no bar, no verdict')
})

t.test('each bar of product.md gets PASS, not met or not measured from the figures', async (t) => {
  const byWhat = new Map(judgeBars(runs).map((b) => [b.row.what, b]))
  const get = (prefix: string) => {
    const hit = [...byWhat.entries()].find(([w]) => w.startsWith(prefix))
    if (hit === undefined) throw new Error(`no bar row starting ${prefix}`)
    return hit[1]
  }
  t.equal(get('engine, full breakdown, vs json-rules-engine').result, 'PASS')
  const zen = get('engine, full breakdown, vs @gorules')
  t.equal(zen.result, 'not met')
  t.equal(
    zen.reason,
    'zen is close. Next: profile explain().',
    "the figure's note is the reason and next step",
  )
  t.same(
    zen.figures.map((f) => f.id),
    ['engine.bundle.vs_zen'],
    'the tsx figure does not answer the bar',
  )
  t.equal(get('engine, score()').result, 'not measured', 'a figure the bench did not write')
  t.match(get('engine, score()').reason, /wrote no figure/)
  t.equal(get('population re-score, 1,000,000').result, 'PASS')
  t.same(
    get('population re-score, 1,000,000').figures.map((f) => f.id),
    ['population.score_1m'],
    'the derivation figure has no bar and is not judged',
  )
  const rss = get('population re-score, peak RSS')
  t.equal(rss.result, 'not met')
  t.match(rss.reason, /Next:/, 'without a note the row says its own next step')
  t.equal(get('admission allocation').result, 'PASS')
  t.same(
    get('admission allocation').figures.map((f) => f.id),
    ['admission.allocate_100k'],
  )
  t.equal(get('bulk').result, 'PASS')
  for (const prefix of ['HTTP preview, throughput', 'HTTP preview, p99', 'HTTP official']) {
    t.equal(get(prefix).result, 'not measured')
    t.match(get(prefix).reason, /killed at its budget \(60 s\)/)
  }
  t.match(get('facts hash').reason, /was not run/)
  t.match(get('start-up').reason, /was not run/)
})

const report = (quick: boolean): RunReport => ({
  startedAt: '2026-11-30T14:00:00Z',
  command: quick ? 'npm run bench -- --quick' : 'npm run bench',
  quick,
  budgetMinutes: 20,
  seconds: 600,
  machine: {
    cpu: 'Test CPU @ 2.00GHz',
    cores: 2,
    loadStart: [3.5, 2, 1],
    loadEnd: [12.25, 8, 4],
    node: 'v20.20.2',
    platform: 'linux x64',
  },
  runs,
})

t.test('the section names the run, the machine and every bar', async (t) => {
  const s = renderSection(report(false))
  t.ok(s.startsWith(START) && s.endsWith(END), 'between the markers')
  t.match(s, '`npm run bench` (budget 20 min, took 10 min)')
  t.match(s, 'Test CPU @ 2.00GHz, 2 cores')
  t.match(s, '3.50 / 2.00 / 1.00 at the start, 12.25 / 8.00 / 4.00 at the end')
  t.match(s, 'node: v20.20.2')
  t.match(
    s,
    '| engine, full breakdown, vs json-rules-engine (bundle) | ≥ 20× | 25× (engine.bundle.vs_jre) | PASS |  |',
  )
  t.match(s, '| population re-score, peak RSS | ≤ 1.5 GB | 1.7 GB (population.peak_rss) | **not met** |')
  t.match(s, '| http | `npx tsx bench/http.bench.ts` | **killed at its budget** | 12 s (60 s) |')
  t.match(s, /Other bars the benches check[\s\S]*hostile\.x_ms\) \| 300 ms \| <= 200 ms \| \*\*not met\*\*/)
  t.notMatch(s, 'SMOKE RUN')
  t.match(renderSection(report(true)), 'SMOKE RUN', 'a --quick run says so in its heading')
})

t.test('a new section replaces the old one and keeps the hand-written history', async (t) => {
  const history = '## Figures of 2026-11-23\n\nhand-written\n'
  const first = spliceSection(`# Benchmarks\n\n${history}`, `${START}\nold\n${END}`)
  t.equal(first, `# Benchmarks\n\n${START}\nold\n${END}\n\n${history}`, 'first time: under the title')
  const second = spliceSection(first, `${START}\nnew\n${END}`)
  t.equal(second, `# Benchmarks\n\n${START}\nnew\n${END}\n\n${history}`)
  t.notMatch(second, 'old')
})
