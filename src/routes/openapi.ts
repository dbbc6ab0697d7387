// Serves the OpenAPI 3.1 document generated from the routes' zod schemas.
import type { FastifyInstance } from 'fastify'

export function openapiRoutes(app: FastifyInstance): void {
  app.get(
    '/openapi.json',
    { schema: { hide: true }, config: { scopes: ['public'] }, logLevel: 'warn' },
    async () => app.swagger(),
  )
}
