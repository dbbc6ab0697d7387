// `jifen batch` registration: the command's options; its module (CSV, XLSX, progress) loads only when it runs.
import type { Command } from 'commander'
import type { BatchCliOptions } from './batch.ts'
import { DB_OPTION } from './storage.ts'

export function registerBatch(program: Command): void {
  program
    .command('batch')
    .description(
      'score every row of a CSV or XLSX of applicants (columns: docs/batch.md) into a CSV or XLSX; bad rows go to an error file and the run goes on; exit 1 if any row failed',
    )
    .argument('<in>', 'input .csv or .xlsx; the first row names the columns (English or Chinese)')
    .argument(
      '<out>',
      'output .csv or .xlsx: totals, layers, items, eligibility, ruleset and facts hash per row',
    )
    .option('--jurisdiction <code>', 'jurisdiction of use for rows without a jurisdiction column')
    .option('--as-of <date>', 'as-of date for rows without an asOf column, YYYY-MM-DD')
    .option('--table <file>', 'score every row with this draft YAML table instead of the tables in force')
    .option('--explain <row>', 'print the full result (or the errors) of this row number on standard output')
    .option('--errors <file>', 'the error file (CSV: row, column, message); default OUT.errors.csv')
    .option(
      '--progress-interval <ms>',
      'plain progress lines at most this often when not on a terminal',
      '1000',
    )
    .option(...DB_OPTION)
    .action(async (input: string, output: string, opts: BatchCliOptions) => {
      const { batchCommand } = await import('./batch.ts')
      await batchCommand(input, output, opts)
    })
}
