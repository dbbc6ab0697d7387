// The thin server: builds the app, listens, and closes gracefully on SIGINT/SIGTERM.
import type { FastifyInstance } from 'fastify'
import { type AppOptions, buildApp } from './app.ts'
import type { Config } from './config.ts'

/** How long in-flight requests get to finish after a signal before the process gives up. */
const GRACE_MS = 10_000

export async function startServer(config: Config, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = buildApp(config, options)
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      app.log.error('graceful shutdown timed out')
      process.exit(1)
    }, GRACE_MS)
    timer.unref()
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error while shutting down')
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
  await app.listen({ port: config.port, host: config.host })
  return app
}
