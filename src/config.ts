// Service configuration: read once from the environment, validated with zod, frozen; the only reader of process.env.
import { isIP } from 'node:net'
import { getHeapStatistics } from 'node:v8'
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
  JIFEN_DATABASE_URL: z
    .string()
    .min(1)
    .optional()
    .describe(
      'the database: `postgres://user@host:5432/name` (or postgresql://) selects PostgreSQL, for several instances; a file path selects the embedded SQLite database; wins over JIFEN_DB_PATH when both are set',
    ),
  JIFEN_DB_PATH: z
    .string()
    .min(1)
    .default('data/jifen.sqlite')
    .describe(
      'SQLite database file, relative to the working directory (`:memory:` for a throw-away one); used when JIFEN_DATABASE_URL is not set',
    ),
  JIFEN_DB_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(10)
    .describe('PostgreSQL connections per instance (each instance also keeps one for LISTEN)'),
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
    .describe(
      'secret for the keyed hash of ID numbers (≥ 32 characters); or JIFEN_ID_HMAC_SECRET_FILE. Required with PostgreSQL',
    ),
  JIFEN_ID_HMAC_SECRET_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'a file holding the ID-number secret (mode 0600), e.g. a container secret; keep it out of the database backups',
    ),
  JIFEN_SECRETS_DIR: z
    .string()
    .min(1)
    .default('secrets')
    .describe(
      'where the embedded SQLite default generates its ID-number secret when none is configured: apart from the database folder, so that a database backup never holds the secret',
    ),
  JIFEN_AUDIT_KEY: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe(
      'key of the audit chain (HMAC of every entry, ≥ 32 characters); or JIFEN_AUDIT_KEY_FILE. Keep it apart from the database and from the ID-number secret: whoever holds it and the database can rewrite the log',
    ),
  JIFEN_AUDIT_KEY_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'a file holding the audit key (mode 0600). Without either, SQLite generates one in JIFEN_SECRETS_DIR; PostgreSQL derives one from the ID-number secret, with a warning',
    ),
  JIFEN_AUDIT_CHECKPOINT_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'a file the service appends signed checkpoints of the audit chain to (JSON lines), for `jifen audit verify --checkpoint`; keep it on another disk or host than the database',
    ),
  JIFEN_AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(60_000)
    .describe(
      'how often the service appends a checkpoint when the chain moved (with JIFEN_AUDIT_CHECKPOINT_FILE)',
    ),
  JIFEN_IDEMPOTENCY_RETENTION_DAYS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .default(30)
    .describe(
      'days a saved idempotent answer is kept: a retry within them gets the original answer; older ones are pruned (hourly) and the key may be used again',
    ),
  JIFEN_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional()
    .describe(
      'Redis for the public rate limit shared by every instance (`redis://127.0.0.1:6379`); without it each instance counts alone',
    ),
  JIFEN_REDIS_PREFIX: z
    .string()
    .min(1)
    .default('jifen-rate-limit:')
    .describe('prefix of the rate-limit keys in Redis (several services may share one Redis)'),
  JIFEN_PUBLIC_BODY_LIMIT: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(64 * 1024)
    .describe('largest body accepted by the public (keyless) routes, in bytes; JIFEN_BODY_LIMIT caps it too'),
  JIFEN_BODY_MAX_DEPTH: z.coerce
    .number()
    .int()
    .min(8)
    .max(512)
    .default(64)
    .describe(
      'deepest nesting of objects and arrays accepted in a JSON body (the shipped tables need 11); deeper is a 400',
    ),
  JIFEN_RATE_LIMIT_MAX: z.coerce
    .number()
    .int()
    .min(0)
    .default(120)
    .describe('requests one client address may make to the public (keyless) routes per window; 0 = no limit'),
  JIFEN_RATE_LIMIT_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(60_000)
    .describe('length of the public rate-limit window, in milliseconds'),
  JIFEN_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(30_000)
    .describe('time a client has to send a whole request (headers and body) before a 408; 0 = none'),
  JIFEN_CONNECTION_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(120_000)
    .describe('an idle socket is closed after this many milliseconds without traffic; 0 = never'),
  JIFEN_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(1000)
    .describe('mean event-loop delay above which requests get 503 until it recovers; 0 = not checked'),
  JIFEN_PRESSURE_MAX_HEAP_USED_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(() => Math.floor(getHeapStatistics().heap_size_limit * 0.9))
    .describe('V8 heap in use above which requests get 503; default 90 % of the heap limit; 0 = not checked'),
  JIFEN_TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx): TrustProxy => {
      const v = value.trim()
      if (v === 'false') return false
      if (v === 'true' || /^\d+$/.test(v)) {
        // true trusts anyone; fastify 5 refuses to trust by hop count alone (it could not check the peer)
        ctx.addIssue({
          code: 'custom',
          message:
            'give the proxies’ addresses or CIDR ranges: true (or a hop count) would let any client name its own address and so dodge the rate limit',
        })
        return z.NEVER
      }
      const entries = v.split(',').map((e) => e.trim())
      const bad = entries.filter((e) => !isAddressOrCidr(e))
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `not an address, CIDR range or range name: ${bad.map((b) => JSON.stringify(b)).join(', ')}`,
        })
        return z.NEVER
      }
      return entries
    })
    .describe(
      'proxies whose X-Forwarded-For gives the client address (for the rate limit and logs): false (none, the default), or the proxies as comma-separated addresses, CIDR ranges or the names loopback, linklocal, uniquelocal',
    ),
  JIFEN_SIMULATION_HEARTBEAT_MS: z.coerce
    .number()
    .int()
    .min(10)
    .default(5_000)
    .describe(
      'how often an instance running a simulation moves its heartbeat, so that other instances on the database know it still runs',
    ),
  JIFEN_SIMULATION_STALE_MS: z.coerce
    .number()
    .int()
    .min(50)
    .default(60_000)
    .describe(
      'a running simulation whose heartbeat is older than this is failed (its instance is gone); instances check at start and at this interval; at least three heartbeats, and more than the clock difference between instances',
    ),
  JIFEN_PRESSURE_MAX_RSS_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('resident set size above which requests get 503; 0 = not checked'),
})

/** Fastify's trustProxy as we allow it: off, or the proxies' addresses and ranges. */
export type TrustProxy = false | string[]

/** proxy-addr's (fastify's) names for address ranges */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal'])

function isAddressOrCidr(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true
  const [address, prefix, ...rest] = entry.split('/')
  if (rest.length > 0) return false
  const family = isIP(address)
  if (family === 0) return false
  if (prefix === undefined) return true
  const bits = Number(prefix)
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128)
}

export interface Config {
  readonly port: number
  readonly host: string
  /** the SQLite file, used when `databaseUrl` is null */
  readonly dbPath: string
  /** a PostgreSQL URL, or null for the embedded SQLite database at `dbPath` */
  readonly databaseUrl: string | null
  readonly dbPoolSize: number
  readonly logLevel: (typeof LOG_LEVELS)[number]
  readonly bodyLimit: number
  readonly idHmacSecret: string | undefined
  readonly idHmacSecretFile: string | undefined
  /** where the SQLite default keeps a secret it generated itself */
  readonly secretsDir: string
  readonly auditKey: string | undefined
  readonly auditKeyFile: string | undefined
  /** where the service appends signed checkpoints of the audit chain, or null */
  readonly auditCheckpointFile: string | null
  readonly auditCheckpointIntervalMs: number
  /** days a saved idempotent answer is kept */
  readonly idempotencyRetentionDays: number
  /** Redis for the shared public rate limit, or null (each instance counts alone) */
  readonly redisUrl: string | null
  readonly redisPrefix: string
  readonly publicBodyLimit: number
  readonly bodyMaxDepth: number
  /** public-route rate limit per client address and window; 0 = off */
  readonly rateLimitMax: number
  readonly rateLimitWindowMs: number
  readonly requestTimeoutMs: number
  readonly connectionTimeoutMs: number
  /** under-pressure thresholds; 0 = that check is off */
  readonly pressureMaxEventLoopDelayMs: number
  readonly pressureMaxHeapUsedBytes: number
  readonly pressureMaxRssBytes: number
  /** who may tell us the client's address in X-Forwarded-For */
  readonly trustProxy: TrustProxy
  /** how often a running simulation's heartbeat moves */
  readonly simulationHeartbeatMs: number
  /** a running simulation whose heartbeat is older is failed, by any instance (checked at this interval) */
  readonly simulationStaleMs: number
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
  if (e.JIFEN_ID_HMAC_SECRET !== undefined && e.JIFEN_ID_HMAC_SECRET_FILE !== undefined)
    throw new ConfigError(
      'invalid configuration:\n  JIFEN_ID_HMAC_SECRET_FILE: set either JIFEN_ID_HMAC_SECRET or JIFEN_ID_HMAC_SECRET_FILE, not both',
    )
  if (e.JIFEN_AUDIT_KEY !== undefined && e.JIFEN_AUDIT_KEY_FILE !== undefined)
    throw new ConfigError(
      'invalid configuration:\n  JIFEN_AUDIT_KEY_FILE: set either JIFEN_AUDIT_KEY or JIFEN_AUDIT_KEY_FILE, not both',
    )
  if (e.JIFEN_SIMULATION_STALE_MS < 3 * e.JIFEN_SIMULATION_HEARTBEAT_MS)
    throw new ConfigError(
      'invalid configuration:\n  JIFEN_SIMULATION_STALE_MS: must be at least three times JIFEN_SIMULATION_HEARTBEAT_MS, or a live simulation could be failed between two heartbeats',
    )
  const { dbPath, databaseUrl } = databaseOf(e.JIFEN_DATABASE_URL, e.JIFEN_DB_PATH)
  return Object.freeze({
    port: e.JIFEN_PORT,
    host: e.JIFEN_HOST,
    dbPath,
    databaseUrl,
    dbPoolSize: e.JIFEN_DB_POOL_SIZE,
    logLevel: e.JIFEN_LOG_LEVEL,
    bodyLimit: e.JIFEN_BODY_LIMIT,
    idHmacSecret: e.JIFEN_ID_HMAC_SECRET,
    idHmacSecretFile: e.JIFEN_ID_HMAC_SECRET_FILE,
    secretsDir: e.JIFEN_SECRETS_DIR,
    auditKey: e.JIFEN_AUDIT_KEY,
    auditKeyFile: e.JIFEN_AUDIT_KEY_FILE,
    auditCheckpointFile: e.JIFEN_AUDIT_CHECKPOINT_FILE ?? null,
    auditCheckpointIntervalMs: e.JIFEN_AUDIT_CHECKPOINT_INTERVAL_MS,
    idempotencyRetentionDays: e.JIFEN_IDEMPOTENCY_RETENTION_DAYS,
    redisUrl: e.JIFEN_REDIS_URL ?? null,
    redisPrefix: e.JIFEN_REDIS_PREFIX,
    publicBodyLimit: e.JIFEN_PUBLIC_BODY_LIMIT,
    bodyMaxDepth: e.JIFEN_BODY_MAX_DEPTH,
    rateLimitMax: e.JIFEN_RATE_LIMIT_MAX,
    rateLimitWindowMs: e.JIFEN_RATE_LIMIT_WINDOW_MS,
    requestTimeoutMs: e.JIFEN_REQUEST_TIMEOUT_MS,
    connectionTimeoutMs: e.JIFEN_CONNECTION_TIMEOUT_MS,
    pressureMaxEventLoopDelayMs: e.JIFEN_PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
    pressureMaxHeapUsedBytes: e.JIFEN_PRESSURE_MAX_HEAP_USED_BYTES,
    pressureMaxRssBytes: e.JIFEN_PRESSURE_MAX_RSS_BYTES,
    trustProxy: e.JIFEN_TRUST_PROXY,
    simulationHeartbeatMs: e.JIFEN_SIMULATION_HEARTBEAT_MS,
    simulationStaleMs: e.JIFEN_SIMULATION_STALE_MS,
  })
}

/** Whether a database location names PostgreSQL (a URL) rather than an SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location)
}

/** JIFEN_DATABASE_URL wins: a PostgreSQL URL, or a file path for SQLite; else JIFEN_DB_PATH. */
function databaseOf(url: string | undefined, dbPath: string): { dbPath: string; databaseUrl: string | null } {
  if (url === undefined) return { dbPath, databaseUrl: null }
  if (isPostgresUrl(url)) return { dbPath, databaseUrl: url }
  // a file: URL is a path too (file:data/jifen.sqlite, file:///srv/jifen/jifen.sqlite)
  const path = url.startsWith('file:') ? url.replace(/^file:(\/\/)?/, '') : url
  return { dbPath: path, databaseUrl: null }
}

/**
 * A configuration for tests and tools: in-memory database, no logs and no pressure checks, unless
 * overridden. The pressure checks are off because they measure the machine, not the code: on a shared
 * CI machine a busy neighbour pushes the event-loop delay over a second and a correct request gets
 * 503. A test about them turns them on.
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return Object.freeze({
    ...loadConfig({
      JIFEN_DB_PATH: ':memory:',
      JIFEN_LOG_LEVEL: 'silent',
      JIFEN_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
      JIFEN_PRESSURE_MAX_HEAP_USED_BYTES: '0',
      JIFEN_PRESSURE_MAX_RSS_BYTES: '0',
    }),
    ...overrides,
  })
}
