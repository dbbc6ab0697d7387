// `jifen simulate --population FILE.jsonl`: JSON Lines streamed line by line give the .json file's report; bad lines are named by number; a .json past V8's longest string is refused with the alternative.

import { constants as bufferConstants } from 'node:buffer'
import { truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import t from 'tap'
import { generateApplicants } from '../../bench/lib/applicants.ts'
import { EXAMPLE_APPLICANT } from '../../schema/api.ts'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { applicantsOfJsonLines, checkReadableAsOneString } from '../../src/cli/population-file.ts'
import { UsageError } from '../../src/cli/usage-error.ts'
import { projectRoot } from '../../src/project-root.ts'
import { TEST_ID_HMAC_SECRET, tempDatabase, tempDir } from '../helper.ts'
import { jifen } from '../security/cli.ts'

const fixture = (name: string) => join(projectRoot, 'test/cli/fixtures/simulate', name)
const lines = (...xs: string[]) => Readable.from([xs.join('\n')])

t.test('the same 3,000 applicants as .json and as .jsonl: the same population hash and report', async (t) => {
  const database = await tempDatabase(t)
  const db = database.databaseUrl ?? database.dbPath
  const env: Record<string, string> =
    database.databaseUrl === null ? {} : { JIFEN_ID_HMAC_SECRET: TEST_ID_HMAC_SECRET }
  const dir = tempDir(t)
  const people = generateApplicants(3_000, 20261130, '2026-04-30')
  const json = join(dir, 'people.json')
  const jsonl = join(dir, 'people.jsonl')
  writeFileSync(json, JSON.stringify(people))
  // CRLF endings, a blank line in the middle and at the end: skipped
  writeFileSync(
    jsonl,
    `${people
      .slice(0, 1500)
      .map((p) => JSON.stringify(p))
      .join('\r\n')}\r\n\r\n${people
      .slice(1500)
      .map((p) => JSON.stringify(p))
      .join('\n')}\n\n`,
  )
  const run = (file: string) =>
    jifen(
      [
        'simulate',
        '--draft',
        fixture('residence-cap-20.yaml'),
        '--jurisdiction',
        '330212',
        '--as-of',
        '2026-04-30',
        '--thresholds',
        '60,100',
        '--population',
        file,
        '--json',
        '--db',
        db,
      ],
      env,
    )
  const a = run(json)
  const b = run(jsonl)
  t.equal(a.code, 0, a.err)
  t.equal(b.code, 0, b.err)
  const x = JSON.parse(a.out)
  const y = JSON.parse(b.out)
  t.equal(y.inputs.population.count, 3_000)
  t.equal(y.inputs.population.sha256, x.inputs.population.sha256, 'the population hash')
  t.equal(y.inputsSha256, x.inputsSha256, 'the inputs hash')
  t.same(y.report, x.report, 'the report')
  t.ok(x.report.changed > 0, `${x.report.changed} changed: the draft matters to this population`)
})

t.test('bad lines are reported with their line numbers, and the run stops before scoring', async (t) => {
  const good = JSON.stringify(EXAMPLE_APPLICANT)
  const err = await applicantsOfJsonLines(
    lines(good, '{"birthDate": ', '', JSON.stringify({ birthDate: '1990-13-01' }), good, '[1]'),
    'p.jsonl',
    10,
  ).catch((e: unknown) => e)
  t.ok(err instanceof UsageError)
  const message = (err as Error).message
  t.match(message, /^bad lines in the population \(3 of 6\):\n/)
  t.match(message, /\np\.jsonl:2: not JSON: /)
  t.match(message, /\np\.jsonl:4: \[birthDate\]: /)
  t.match(message, /\np\.jsonl:6: /)
  t.notMatch(message, /p\.jsonl:(1|3|5):/)
})

t.test('a byte-order mark, and the limit on applicants', async (t) => {
  const good = JSON.stringify(EXAMPLE_APPLICANT)
  const read = await applicantsOfJsonLines(lines(`\ufeff${good}`, good), 'p.jsonl', 2)
  t.same(read, [ApplicantSchema.parse(EXAMPLE_APPLICANT), ApplicantSchema.parse(EXAMPLE_APPLICANT)])
  const over = await applicantsOfJsonLines(lines(good, good, good), 'p.jsonl', 2).catch((e: unknown) => e)
  t.ok(over instanceof UsageError)
  t.match((over as Error).message, /p\.jsonl: more than 2 applicants \(line 3\)/)
})

t.test('a .json past the longest string is refused, in both languages, naming JSON Lines', async (t) => {
  const max = bufferConstants.MAX_STRING_LENGTH
  t.doesNotThrow(() => checkReadableAsOneString('p.json', max))
  let refused: unknown = null
  try {
    checkReadableAsOneString('p.json', max + 1)
  } catch (e) {
    refused = e
  }
  t.ok(refused instanceof UsageError, 'one byte past the limit is refused')
  // a sparse file of that size: nothing is written, the CLI exits 2 before reading it
  const dir = tempDir(t)
  const big = join(dir, 'big.json')
  writeFileSync(big, '')
  truncateSync(big, max + 1)
  const r = jifen([
    'simulate',
    '--draft',
    fixture('residence-cap-20.yaml'),
    '--jurisdiction',
    '330212',
    '--as-of',
    '2026-04-30',
    '--population',
    big,
    '--db',
    join(dir, 'x.db'),
  ])
  t.equal(r.code, 2, r.err)
  t.match(r.err, /超过一次能读入的文本上限.*\.jsonl/)
  t.match(
    r.err,
    /past the longest text Node can read at once.*give a JSON Lines file instead \(\.jsonl or \.ndjson/,
  )
})
