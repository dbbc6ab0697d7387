// Draft YAML problems carry file lines: by index, by a row's id (as the compiler names rows), and for missing fields.
import t from 'tap'
import { parseDraftFile } from '../../src/cli/tables.ts'

const DRAFT = [
  'id: test-lines', // 1
  'version: 1', // 2
  'scheme: points', // 3
  'jurisdiction: "330299"', // 4
  'title: 测试', // 5
  'validFrom: "2024-01-01"', // 6
  'ref: 测试', // 7
  'extends: ningbo-points-2022@1', // 8
  'patch:', // 9
  '  reweight:', // 10
  '    - id: age', // 11
  '      cap: 30', // 12
  '    - id: education', // 13
  '      cap: 5', // 14
].join('\n')

t.test('a valid source locates paths by index and by row id', async (t) => {
  const r = parseDraftFile(DRAFT)
  if (!('source' in r)) return t.fail(JSON.stringify(r.problems))
  // `patch.reweight.education` is how resolution names a reweighted row: line 13, where its row starts
  t.same(r.locate('patch.reweight.education'), { line: 13, column: 7 })
  t.same(r.locate('patch.reweight[0].cap'), { line: 12, column: 12 })
  // a path the file does not have: the deepest node that exists (patch.reweight, line 11)
  t.same(r.locate('patch.reweight.skills.cap'), { line: 11, column: 5 })
})

t.test('schema problems and YAML syntax errors carry lines', async (t) => {
  const missing = parseDraftFile(DRAFT.replace('title: 测试', 'title: 测试\nlayers: 7'))
  t.same('problems' in missing ? missing.problems.map((p) => [p.path, p.line]) : [], [['layers', 6]])
  const broken = parseDraftFile('id: t\nversion: [1, 2\n')
  t.ok('problems' in broken && broken.problems[0].path === '(yaml)' && broken.problems[0].line !== null)
})
