// Service configuration: read once from the environment, validated with zod, frozen; the only reader of process.env.
import { z } from 'zod'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** Every variable the service reads, with its meaning and default. */
export const ConfigEnvSchema = z.object({
  JIFEN_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(3000)
    .describe('TCP port to listen on (0 = any free port)'),
  JIFEN_HOST: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe('interface to listen on; 0.0.0.0 to serve beyond loopback'),
  JIFEN_DB_PATH: z
    .string()
    .min(1)
    .default('data/jifen.sqlite')
    .describe(
      'SQLite database file, relative to the working directory; `:memory:` for a throw-away database',
    ),
  JIFEN_LOG_LEVEL: z.enum(LOG_LEVELS).default('info').describe('pino log level'),
  JIFEN_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024)
    .describe('largest accepted request body, in bytes'),
  JIFEN_ID_HMAC_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe('secret for the keyed hash of ID numbers (used by the security layer)'),
})

export interface Config {
  readonly port: number
  readonly host: string
  readonly dbPath: string
  readonly logLevel: (typeof LOG_LEVELS)[number]
  readonly bodyLimit: number
  readonly idHmacSecret: string | undefined
}

/** Configuration is wrong; the message lists every variable at fault, one per line. */
export class ConfigError extends Error {}

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  // An empty variable means "not set", as shells and compose files often export VAR= .
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('JIFEN_') && v !== ''),
  )
  const parsed = ConfigEnvSchema.safeParse(present)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  return Object.freeze({
    port: e.JIFEN_PORT,
    host: e.JIFEN_HOST,
    dbPath: e.JIFEN_DB_PATH,
    logLevel: e.JIFEN_LOG_LEVEL,
    bodyLimit: e.JIFEN_BODY_LIMIT,
    idHmacSecret: e.JIFEN_ID_HMAC_SECRET,
  })
}

/** A configuration for tests and tools: in-memory database, no logs, unless overridden. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return Object.freeze({
    ...loadConfig({ JIFEN_DB_PATH: ':memory:', JIFEN_LOG_LEVEL: 'silent' }),
    ...overrides,
  })
}
