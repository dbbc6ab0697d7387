// Writes examples/batch-template.{csv,xlsx} and the XLSX test fixture from the batch column list: `npx tsx examples/generate-batch-templates.ts`.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import ExcelJS from 'exceljs'
import { COLUMNS } from '../src/cli/batch-columns.ts'
import { projectRoot } from '../src/project-root.ts'

/**
 * Headers carry both names, Chinese first; either alone is accepted too. The per-row jurisdiction and
 * as-of columns are left out: with them the output has the columns of every points table.
 */
const columns = COLUMNS.filter((c) => c.key !== 'jurisdiction' && c.key !== 'asOf')
const headers = columns.map((c) => `${c.zh} ${c.key}`)

/** Two applicants: the first scores 42 and the second 74 under zhejiang-points-2022 on 2026-04-30 (docs/batch.md). */
const examples: Record<string, string>[] = [
  { id: 'A1', birthDate: '1990-06-15', education: 'bachelor', socialInsurance: '2019-01..2020-12@330212' },
  {
    id: 'A2',
    birthDate: '1976-03-01',
    education: '大专',
    skills: 'skill_level:3',
    region: '330203',
    socialInsurance: '2016-01..2025-12; 2010-01..2010-06*',
    residenceSince: '2020-04-30',
    permitIssuedOn: '2025-06-01',
  },
]
const rows = examples.map((e) => columns.map((c) => e[c.key] ?? ''))

const examplesDir = join(projectRoot, 'examples')
writeFileSync(join(examplesDir, 'batch-template.csv'), stringify([headers, ...rows], { bom: true }))

async function template(): Promise<void> {
  const wb = new ExcelJS.Workbook()
  const sheet = wb.addWorksheet('applicants 申请人')
  sheet.addRow(headers)
  for (const r of rows) sheet.addRow(r)
  sheet.getRow(1).font = { bold: true }
  // every cell is text, so that a spreadsheet program does not turn 2019-01..2020-12 into something else
  for (let i = 1; i <= headers.length; i++) sheet.getColumn(i).numFmt = '@'
  const help = wb.addWorksheet('columns 说明')
  help.addRow(['column 列', 'English', 'what 说明'])
  for (const c of COLUMNS) help.addRow([c.zh, c.key, c.help])
  await wb.xlsx.writeFile(join(examplesDir, 'batch-template.xlsx'))
}

/**
 * The XLSX fixture: the rows of people.csv, with A1's birth date typed as a spreadsheet date and
 * A2's skill level column left as text, as offices' spreadsheets mix them.
 */
async function fixture(): Promise<void> {
  const dir = join(projectRoot, 'test/cli/fixtures/batch')
  const records = parse(readFileSync(join(dir, 'people.csv')), {
    bom: true,
    relax_column_count: true,
  }) as string[][]
  const wb = new ExcelJS.Workbook()
  const sheet = wb.addWorksheet('people')
  records.forEach((r, i) => {
    const row = sheet.getRow(i + 1)
    r.forEach((v, j) => {
      row.getCell(j + 1).value = i === 1 && j === 1 ? new Date(`${v}T00:00:00Z`) : v === '' ? null : v
    })
    row.commit()
  })
  await wb.xlsx.writeFile(join(dir, 'people.xlsx'))
}

await template()
await fixture()
