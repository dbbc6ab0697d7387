// `jifen score [FILE]`: scores an applicant (JSON from FILE or stdin) with the tables in force in the database, or the shipped ones.
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { DateStringSchema, JurisdictionSchema } from '../../schema/common.ts'
import type { Table } from '../../schema/table.ts'
import { EvaluationError } from '../../scoring/compile.ts'
import { NoTableInForceError, TableRegistry } from '../../scoring/registry.ts'
import { loadShippedTables } from '../tables/shipped.ts'
import { DB_OPTION, openCliStorage } from './storage.ts'
import { UsageError } from './usage-error.ts'

/** The applicant's JSON: from FILE, or from standard input when no file is named. */
async function readInput(file: string | undefined): Promise<string> {
  if (file !== undefined && file !== '-') {
    try {
      return readFileSync(file, 'utf8')
    } catch (e) {
      throw new UsageError(
        `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      )
    }
  }
  if (process.stdin.isTTY)
    throw new UsageError(
      'name the applicant JSON file, or pipe it on standard input, e.g. `< applicant.json`',
    )
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function formatIssues(prefix: string, issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `  ${[prefix, ...i.path.map(String)].join('.')}: ${i.message}`).join('\n')
}

/**
 * The published tables of the database: the registry the service scores with (retired tables are not
 * in it). A database that holds none was never started: say so rather than score with nothing.
 */
async function tablesInForce(db: string | undefined): Promise<Table[]> {
  const storage = await openCliStorage(db)
  try {
    const published = await storage.rulesets.list({ status: 'published' })
    if (published.length === 0)
      throw new UsageError(
        `${storage.location} holds no published tables (start the service once to seed them, or use --shipped)`,
      )
    return published.map((r) => r.table)
  } finally {
    await storage.close()
  }
}

/** Scores one applicant against the given tables (default: the shipped ones); throws UsageError on bad input. */
export function scoreApplicant(
  text: string,
  jurisdiction: string,
  asOf: string,
  tables: readonly Table[] = loadShippedTables(),
) {
  const j = JurisdictionSchema.safeParse(jurisdiction)
  if (!j.success) throw new UsageError(`--jurisdiction: ${j.error.issues[0].message}`)
  const d = DateStringSchema.safeParse(asOf)
  if (!d.success) throw new UsageError(`--as-of: ${d.error.issues[0].message}`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new UsageError(`the applicant is not valid JSON: ${(e as Error).message}`)
  }
  const parsed = ApplicantSchema.safeParse(json)
  if (!parsed.success)
    throw new UsageError(`the applicant is not valid:\n${formatIssues('applicant', parsed.error.issues)}`)
  const registry = new TableRegistry(tables)
  try {
    return registry.find('points', jurisdiction, asOf).evaluatePoints(parsed.data, { asOf, jurisdiction })
  } catch (e) {
    if (e instanceof NoTableInForceError || e instanceof EvaluationError) throw new UsageError(e.message)
    throw e
  }
}

export function registerScore(program: Command): void {
  program
    .command('score')
    .description(
      'score one applicant (JSON in FILE, or on stdin) with the points tables in force in the database, as the service does; prints the result JSON',
    )
    .argument('[file]', 'the applicant JSON; standard input when absent or -')
    .requiredOption('--jurisdiction <code>', 'jurisdiction of use, a 6-digit GB/T 2260 code, e.g. 330212')
    .requiredOption('--as-of <date>', 'the as-of date, YYYY-MM-DD')
    .option('--shipped', 'use the tables shipped with this version instead of the database (offline use)')
    .option(...DB_OPTION)
    .action(
      async (
        file: string | undefined,
        opts: { jurisdiction: string; asOf: string; shipped?: boolean; db?: string },
      ) => {
        const text = await readInput(file)
        const tables = opts.shipped ? loadShippedTables() : await tablesInForce(opts.db)
        const result = scoreApplicant(text, opts.jurisdiction, opts.asOf, tables)
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
      },
    )
}
