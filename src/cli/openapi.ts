// `jifen openapi`: print or write the OpenAPI document generated from the app (committed as openapi/openapi.json).
import { writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import { buildApp } from '../app.ts'
import { fixedClock } from '../clock.ts'
import { testConfig } from '../config.ts'

/** The document exactly as committed: 2-space JSON and a final newline, so the drift test compares text. */
export async function generateOpenapi(): Promise<string> {
  // A throw-away in-memory app: the document depends only on the routes and schemas, not on data or the date.
  const app = buildApp(testConfig(), { clock: fixedClock('2026-01-01T00:00:00Z'), seedTables: () => [] })
  try {
    await app.ready()
    const doc = app.swagger() as { components?: { schemas?: Record<string, unknown> } }
    // Schemas are listed in the order zod registered them, which follows module import order (the CLI
    // and the test runner load modules differently): sorted by name, the committed text is stable.
    const schemas = doc.components?.schemas
    if (schemas !== undefined)
      doc.components!.schemas = Object.fromEntries(
        Object.keys(schemas)
          .sort()
          .map((k) => [k, schemas[k]]),
      )
    return `${JSON.stringify(doc, null, 2)}\n`
  } finally {
    await app.close()
  }
}

export function registerOpenapi(program: Command): void {
  program
    .command('openapi')
    .description('print the OpenAPI 3.1 document, or write it to a file')
    .option('--write <file>', 'write to this file instead of standard output')
    .action(async (opts: { write?: string }) => {
      const doc = await generateOpenapi()
      if (opts.write) writeFileSync(opts.write, doc)
      else process.stdout.write(doc)
    })
}
