// The jifen command line: `npm run -s jifen -- <command>`; each command lives in its own module.
import { Command, CommanderError } from 'commander'
import { registerAudit } from './audit.ts'
import { registerBatch } from './batch-command.ts'
import { registerDb } from './db.ts'
import { registerKeys } from './keys.ts'
import { registerOpenapi } from './openapi.ts'
import { registerScore, UsageError } from './score.ts'
import { registerServe } from './serve.ts'
import { registerTables } from './tables.ts'

const program = new Command()
  .name('jifen')
  .description('Ningbo points (积分) service and tools')
  .showHelpAfterError()
  .exitOverride()

registerServe(program)
registerScore(program)
registerOpenapi(program)
registerKeys(program)
registerAudit(program)
registerDb(program)
registerTables(program)
registerBatch(program)

try {
  await program.parseAsync(process.argv)
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode)
  if (e instanceof UsageError) {
    process.stderr.write(`jifen: ${e.message}\n`)
    process.exit(2)
  }
  throw e
}
