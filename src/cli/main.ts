// The jifen command line: `npm run -s jifen -- <command>`; each command lives in its own module.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Command, CommanderError } from 'commander'
import { projectRoot } from '../project-root.ts'
import { registerAudit } from './audit.ts'
import { registerBatch } from './batch-command.ts'
import { registerDb } from './db.ts'
import { registerKeys } from './keys.ts'
import { registerOpenapi } from './openapi.ts'
import { registerScore } from './score.ts'
import { registerServe } from './serve.ts'
import { registerSimulate } from './simulate.ts'
import { registerTables } from './tables.ts'
import { UsageError } from './usage-error.ts'

/** Documented in --help; scripts branch on them (issue 15). */
const EXIT_CODES =
  '\nExit codes: 0 done; 1 failed (the database, the network, a port in use …); 2 usage error (unknown command or option, missing or bad argument, bad input).'

const program = new Command()
  .name('jifen')
  .description('Ningbo points (积分) service and tools')
  .version(
    (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version,
    '--version',
  )
  .showHelpAfterError()
  .addHelpText('after', EXIT_CODES)
  .exitOverride()

registerServe(program)
registerScore(program)
registerOpenapi(program)
registerKeys(program)
registerAudit(program)
registerDb(program)
registerTables(program)
registerBatch(program)
registerSimulate(program)

try {
  await program.parseAsync(process.argv)
} catch (e) {
  // commander exits 1 for its usage errors: 2 here, like the app's own; help and --version exit 0
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2)
  if (e instanceof UsageError) {
    process.stderr.write(`jifen: ${e.message}\n`)
    process.exit(2)
  }
  throw e
}
