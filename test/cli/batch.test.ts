// `jifen batch`: CSV and XLSX fixtures with good and bad rows, checked by hand; error file, exit status, progress lines, drafts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import t from 'tap'
import { projectRoot } from '../../src/project-root.ts'
import { tempDatabase, tempDir } from '../helper.ts'
import { jifen } from '../security/cli.ts'

const fixture = (name: string) => join(projectRoot, 'test/cli/fixtures/batch', name)
const SHA = /^[0-9a-f]{64}$/

/** CSV text without the BOM, split into lines. */
function lines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split(/\r?\n/)
}

/*
 * people.csv scored under zhejiang-points-2022@1 (jurisdiction 330000, the provincial table: age,
 * education, skills, insurance, residence; cap 100) on 2026-04-30.
 *
 * Row 2, A1: born 1990-06-15 → 35 → band 18–40: age 20. Bachelor: 10. No skill: 0. Insurance
 *   2019-01..2020-12 in 330212 = 24 months × 0.5 = 12. No residence: 0. Total 20 + 10 + 12 = 42.
 *   No permit: the permit_valid gate fails, not eligible.
 * Row 3, A2: born 1976-03-01 → 50 → band 41–54: 19 − (50 − 41) = 10. 大专 = junior_college: 8.
 *   skill_level:3 (高级工): 8. Insurance 2016-01..2025-12 = 120 months (plus 6 back-paid in 2010)
 *   × 0.5 = 63, capped at 30. Residence registered 2020-04-30 in 330203, 72 full months × 0.25 = 18.
 *   Total 10 + 8 + 8 + 30 + 18 = 74. Permit issued 2025-06-01, within its first year: eligible.
 * Row 4, B1: 1990-02-30 is no date → birthDate error.
 * Row 5, B2: "college" is no education level and "level:3" no skill → two errors on one row.
 * Row 6: blank, skipped (not counted).
 * Row 7, B3: insurance 2020-05..2020-01 ends before it starts → socialInsurance error.
 * Row 8, B4: local_housing is a Xiangshan item; the provincial table has none → districtItems error.
 * Row 9, A3: born 2010-01-01 → 16 → under 18: age 0 (provisional band). Junior: 5. Total 5.
 * So 7 rows read, 3 scored, 4 failed: exit 1.
 */
const EXPECTED_ROWS = [
  [
    '2',
    'A1',
    '330000',
    '2026-04-30',
    '42',
    'false',
    'permit_valid',
    '',
    '0',
    // not provisional: the Zhejiang table's flag covers only its start date (validFrom), and A1 used
    // no provisional row
    'false',
    '42',
    '20',
    '10',
    '0',
    '12',
    '0',
  ],
  // A2 used no provisional row either
  ['3', 'A2', '330000', '2026-04-30', '74', 'true', '', '', '0', 'false', '74', '10', '8', '8', '30', '18'],
  [
    '9',
    'A3',
    '330000',
    '2026-04-30',
    '5',
    'false',
    'permit_valid',
    '',
    '0',
    'true',
    '5',
    '0',
    '5',
    '0',
    '0',
    '0',
  ],
]
const HEADER =
  'row,id,jurisdiction,asOf,total,eligible,failedGates,frozenUntil,deductions,provisional,layer.provincial,item.age,item.education,item.vocational_skills,item.social_insurance,item.residence,rulesetId,rulesetSha256,factsSha256'
const EXPECTED_ERRORS = [
  'row,column,message',
  '4,出生日期 birthDate,not a calendar date',
  '5,学历 education,"""college"" is not an education level (none, primary, junior, senior, vocational_secondary, junior_college, bachelor, master, doctorate)"',
  '5,技能 skills,"""level:3"" is not skill_level:N, title:GRADE or special_ability"',
  '7,社保 socialInsurance,entry 1: to: `to` is before `from`',
  '8,区级项目 districtItems,unknown district item local_housing; zhejiang-points-2022@1 define no district items',
]

t.test('batch on one database', async (t) => {
  const database = await tempDatabase(t)
  const db = database.databaseUrl ?? database.dbPath
  const dir = tempDir(t)
  const when = ['--jurisdiction', '330000', '--as-of', '2026-04-30', '--db', db]

  t.test('CSV: scores the good rows, reports the bad ones, exit 1, one progress line per row', async (t) => {
    const out = join(dir, 'out.csv')
    const r = jifen([
      'batch',
      fixture('people.csv'),
      out,
      ...when,
      '--progress-interval',
      '0',
      '--explain',
      '3',
    ])
    t.equal(r.code, 1, r.err)
    const got = lines(out)
    t.equal(got[0], HEADER)
    t.equal(got.length, 4)
    got.slice(1).forEach((line, i) => {
      const cells = line.split(',')
      t.same(cells.slice(0, 16), EXPECTED_ROWS[i], `row ${EXPECTED_ROWS[i][0]}`)
      t.same(cells.slice(16, 17), ['zhejiang-points-2022@1'])
      t.match(cells[17], SHA)
      t.match(cells[18], SHA)
    })
    t.same(lines(join(dir, 'out.errors.csv')), EXPECTED_ERRORS)
    // --explain 3: the full result of A2 on stdout
    const explained = JSON.parse(r.out)
    t.equal(explained.row, 3)
    t.equal(explained.result.total, 74)
    t.equal(explained.result.items.find((i: { id: string }) => i.id === 'residence').points, 18)
    // not a terminal: plain lines, one per row at interval 0 (7 rows), then the summary; no \r, no escapes
    t.notOk(r.err.includes('\r') || r.err.includes(String.fromCharCode(27)))
    const progress = r.err.trimEnd().split('\n')
    const perRow = progress.filter((l) =>
      /^batch: \d+ rows, \d+ failed, \d+ rows\/s, \d+% read, ETA \d+s$/.test(l),
    )
    t.equal(perRow.length, 7)
    t.match(perRow[6], /^batch: 7 rows, 4 failed,/)
    t.ok(progress.some((l) => /^batch: done, 7 rows, 3 scored, 4 failed, in \d+\.\ds$/.test(l)))
    t.match(progress.at(-1), /^batch: 4 rows failed; see .*out\.errors\.csv$/)
  })

  t.test('XLSX in and out: the same rows (A1 typed as a spreadsheet date), the same errors', async (t) => {
    const out = join(dir, 'out.xlsx')
    const errors = join(dir, 'xlsx-errors.csv')
    const r = jifen(['batch', fixture('people.xlsx'), out, ...when, '--errors', errors])
    t.equal(r.code, 1, r.err)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(out)
    const sheet = wb.worksheets[0]
    t.equal(sheet.name, 'results')
    const rows: string[][] = []
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))))
    t.equal(rows[0].join(','), HEADER)
    t.same(
      rows.slice(1).map((r) => r.slice(0, 16)),
      EXPECTED_ROWS,
    )
    // numbers are numbers in the workbook, not text
    t.equal(typeof (sheet.getRow(3).getCell(5).value as unknown), 'number')
    t.same(lines(errors), EXPECTED_ERRORS)
  })

  t.test('--table: a draft with the insurance cap at 20 scores every row', async (t) => {
    // A2's insurance 63 is now capped at 20: 10 + 8 + 8 + 20 + 18 = 64; A1 (12) and A3 (0) are under it.
    const out = join(dir, 'draft.csv')
    const r = jifen([
      'batch',
      fixture('people.csv'),
      out,
      ...when,
      '--table',
      fixture('draft-insurance-cap-20.yaml'),
    ])
    t.equal(r.code, 1, r.err)
    const got = lines(out)
      .slice(1)
      .map((l) => l.split(','))
    t.same(
      got.map((c) => [c[1], c[4], c[14], c[16]]),
      [
        ['A1', '42', '12', 'zhejiang-points-2022@99'],
        ['A2', '64', '20', 'zhejiang-points-2022@99'],
        ['A3', '5', '0', 'zhejiang-points-2022@99'],
      ],
    )
  })

  t.test('usage errors are exit 2 and write nothing', async (t) => {
    const bad = join(dir, 'bad-header.csv')
    writeFileSync(bad, 'birthDate,favouriteColour\n1990-06-15,blue\n')
    const r = jifen(['batch', bad, join(dir, 'never.csv'), ...when])
    t.equal(r.code, 2)
    t.match(r.err, /column 2 "favouriteColour" is not a batch column/)
    t.notOk(existsSync(join(dir, 'never.csv')))
    const ext = jifen(['batch', fixture('people.csv'), join(dir, 'out.txt'), ...when])
    t.equal(ext.code, 2)
    t.match(ext.err, /give a \.csv or \.xlsx file/)
  })
})
