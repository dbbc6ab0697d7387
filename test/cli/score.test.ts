// The `jifen score` command: a result on stdout for good input, a readable error and exit 2 for bad.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import { projectRoot } from '../../src/project-root.ts'

function score(args: string[], stdin: string) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(projectRoot, 'src/cli/main.ts'), 'score', ...args],
    {
      input: stdin,
      encoding: 'utf8',
      cwd: projectRoot,
    },
  )
  return { code: r.status, out: r.stdout, err: r.stderr }
}

// the shipped tables: these tests are about input handling, not about a database (test/cli/exit-codes.test.ts)
const asOf = ['--shipped', '--jurisdiction', '330212', '--as-of', '2026-04-30']

t.test('prints the points result as JSON', async (t) => {
  // Born 1990-06-15: age 35 on 2026-04-30 → provincial age band 18–40 → 20 points.
  // Bachelor → 10. No insurance, residence, skills: 0. Total 20 + 10 = 30.
  const r = score(asOf, JSON.stringify({ birthDate: '1990-06-15', education: 'bachelor' }))
  t.equal(r.code, 0, r.err)
  const result = JSON.parse(r.out)
  t.equal(result.total, 30)
  t.equal(result.items.find((i: { id: string }) => i.id === 'age').points, 20)
  t.equal(result.jurisdiction, '330212')
  t.match(result.ruleset.sha256, /^[0-9a-f]{64}$/)
})

t.test('an impossible date is a readable error naming the field, exit 2', async (t) => {
  const r = score(asOf, JSON.stringify({ birthDate: '2023-02-30' }))
  t.equal(r.code, 2)
  t.match(r.err, /applicant\.birthDate: not a calendar date/)
  t.equal(r.out, '')
})

t.test('malformed JSON is a readable error, exit 2', async (t) => {
  const r = score(asOf, '{"birthDate": ')
  t.equal(r.code, 2)
  t.match(r.err, /not valid JSON/)
})

t.test('a bad ID checksum is reported on the idNumber field', async (t) => {
  // 11010519491231002X is the GB 11643 example with a valid check character; change it to 1.
  const r = score(asOf, JSON.stringify({ birthDate: '1949-12-31', idNumber: '110105194912310021' }))
  t.equal(r.code, 2)
  t.match(r.err, /applicant\.idNumber: ID number checksum does not match/)
})

t.test('no table in force is a clear error, exit 2', async (t) => {
  const r = score(
    ['--shipped', '--jurisdiction', '330212', '--as-of', '2021-06-30'],
    JSON.stringify({ birthDate: '1990-06-15' }),
  )
  t.equal(r.code, 2)
  t.match(r.err, /no points table is in force for 330212/)
})

t.test('a bad --as-of is named', async (t) => {
  const r = score(
    ['--shipped', '--jurisdiction', '330212', '--as-of', '2026-13-01'],
    JSON.stringify({ birthDate: '1990-06-15' }),
  )
  t.equal(r.code, 2)
  t.match(r.err, /--as-of/)
})
