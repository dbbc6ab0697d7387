// `jifen serve`: start the HTTP service with the configuration from the environment (flags override it).
import type { Command } from 'commander'
import { ConfigError, loadConfig } from '../config.ts'
import { startServer } from '../server.ts'

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API (configuration from JIFEN_* environment variables)')
    .option('--port <port>', 'overrides JIFEN_PORT')
    .option('--host <host>', 'overrides JIFEN_HOST')
    .option('--db <path>', 'overrides JIFEN_DB_PATH')
    .action(async (opts: { port?: string; host?: string; db?: string }) => {
      let config: ReturnType<typeof loadConfig>
      try {
        config = loadConfig({
          ...process.env,
          ...(opts.port !== undefined ? { JIFEN_PORT: opts.port } : {}),
          ...(opts.host !== undefined ? { JIFEN_HOST: opts.host } : {}),
          ...(opts.db !== undefined ? { JIFEN_DB_PATH: opts.db } : {}),
        })
      } catch (e) {
        if (e instanceof ConfigError) {
          process.stderr.write(`jifen: ${e.message}\n`)
          process.exit(2)
        }
        throw e
      }
      try {
        await startServer(config)
      } catch (e) {
        // one line an operator can act on, not a stack trace
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          process.stderr.write(
            `jifen: port ${config.port} on ${config.host} is already in use (another jifen or another program); stop it, or choose another with --port or JIFEN_PORT\n`,
          )
          process.exit(1)
        }
        throw e
      }
    })
}
