// `jifen score`: reads an applicant as JSON on stdin and prints the points result for a jurisdiction and date.
import type { Command } from 'commander'
import { ApplicantSchema } from '../../schema/applicant.ts'
import { DateStringSchema, JurisdictionSchema } from '../../schema/common.ts'
import { EvaluationError } from '../../scoring/compile.ts'
import { NoTableInForceError, TableRegistry } from '../../scoring/registry.ts'
import { loadShippedTables } from '../tables/shipped.ts'

/** A mistake in what the user gave us: printed as a readable message, exit code 2. */
export class UsageError extends Error {}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY)
    throw new UsageError('pipe the applicant JSON on standard input, e.g. `< applicant.json`')
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function formatIssues(prefix: string, issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `  ${[prefix, ...i.path.map(String)].join('.')}: ${i.message}`).join('\n')
}

/** Scores one applicant against the shipped tables; throws UsageError on bad input. */
export function scoreApplicant(text: string, jurisdiction: string, asOf: string) {
  const j = JurisdictionSchema.safeParse(jurisdiction)
  if (!j.success) throw new UsageError(`--jurisdiction: ${j.error.issues[0].message}`)
  const d = DateStringSchema.safeParse(asOf)
  if (!d.success) throw new UsageError(`--as-of: ${d.error.issues[0].message}`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new UsageError(`standard input is not valid JSON: ${(e as Error).message}`)
  }
  const parsed = ApplicantSchema.safeParse(json)
  if (!parsed.success)
    throw new UsageError(`the applicant is not valid:\n${formatIssues('applicant', parsed.error.issues)}`)
  const registry = new TableRegistry(loadShippedTables())
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
    .description('score one applicant (JSON on stdin) with the shipped points tables; prints the result JSON')
    .requiredOption('--jurisdiction <code>', 'jurisdiction of use, a 6-digit GB/T 2260 code, e.g. 330212')
    .requiredOption('--as-of <date>', 'the as-of date, YYYY-MM-DD')
    .action(async (opts: { jurisdiction: string; asOf: string }) => {
      const result = scoreApplicant(await readStdin(), opts.jurisdiction, opts.asOf)
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
    })
}
