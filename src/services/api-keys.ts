// API keys: issue (shown once), list, revoke, and authenticate a bearer key; every change is audited.
import { AppError, bi } from '../errors.ts'
import type { ApiKeyRepository, StoredApiKey } from '../repositories/types.ts'
import { generateApiKey, parseApiKey, SCOPES, type Scope, secretMatches } from '../security/api-keys.ts'
import { apiKeyHash } from '../security/object-hashes.ts'
import type { Actor, Recorder } from './recorder.ts'

/** The caller a request was authenticated as; what `req.apiKey` holds. */
export interface AuthenticatedKey {
  id: string
  name: string
  scopes: readonly Scope[]
}

/** Why a request carries no usable key; the 401 says which, never more (unknown and revoked look alike). */
export type AuthFailure = 'missing' | 'malformed' | 'invalid'

/** Key names appear in audit entries and logs: short, printable, no spaces. */
export const KEY_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$/

/** Thrown for a bad name, unknown scope, taken name or unknown key; the CLI prints the message. */
export class KeyError extends Error {}

export function parseScopes(list: string): Scope[] {
  const scopes = [
    ...new Set(
      list
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ]
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s))
  if (unknown.length > 0)
    throw new KeyError(`unknown scope ${unknown.join(', ')}; scopes are ${SCOPES.join(', ')}`)
  if (scopes.length === 0) throw new KeyError(`give at least one scope of ${SCOPES.join(', ')}`)
  return scopes as Scope[]
}

export class ApiKeyService {
  constructor(
    private readonly repo: ApiKeyRepository,
    private readonly recorder: Recorder,
  ) {}

  /** Issues a key. The returned `key` is the only copy: only the hash of its secret is stored. */
  async create(
    name: string,
    scopes: readonly Scope[],
    actor: Actor,
  ): Promise<{ key: string; record: StoredApiKey }> {
    if (!KEY_NAME_RE.test(name))
      throw new KeyError(`bad key name ${JSON.stringify(name)}: letters, digits and . _ : @ - (at most 64)`)
    if (scopes.length === 0) throw new KeyError('a key needs at least one scope')
    const k = generateApiKey()
    const created = await this.recorder.audited(
      actor,
      async ({ tx, at, audit }) => {
        const record = { id: k.keyId, name, scopes: [...scopes], secretHash: k.secretHash, createdAt: at }
        if (!(await tx.apiKeys.create(record))) return null
        await audit('api_key.created', k.keyId, apiKeyHash({ ...record, revokedAt: null }))
        return { ...record, revokedAt: null }
      },
      true,
    )
    if (created === null)
      throw new KeyError(`a key named ${name} exists (names are never reused, revoked keys included)`)
    return { key: k.key, record: created }
  }

  list(): Promise<StoredApiKey[]> {
    return this.repo.list()
  }

  /** Revokes by id or by name; requests with the key fail from the next one on. */
  async revoke(idOrName: string, actor: Actor): Promise<StoredApiKey> {
    const k = (await this.repo.get(idOrName)) ?? (await this.repo.getByName(idOrName))
    if (k === null) throw new KeyError(`no key with id or name ${JSON.stringify(idOrName)}`)
    if (k.revokedAt !== null) throw new KeyError(`key ${k.name} was revoked at ${k.revokedAt}`)
    const at = await this.recorder.audited(
      actor,
      async ({ tx, at, audit }) => {
        if (!(await tx.apiKeys.revoke(k.id, at))) return null
        await audit('api_key.revoked', k.id, apiKeyHash({ ...k, revokedAt: at }))
        return at
      },
      true,
    )
    if (at === null) throw new KeyError(`key ${k.name} was revoked meanwhile`)
    return { ...k, revokedAt: at }
  }

  /** The key an `Authorization` header presents, or why there is none. Read from storage every time. */
  async authenticate(header: string | undefined): Promise<AuthenticatedKey | AuthFailure> {
    if (header === undefined || header === '') return 'missing'
    const m = /^Bearer +(\S+) *$/i.exec(header)
    const parsed = m ? parseApiKey(m[1]) : null
    if (parsed === null) return 'malformed'
    const k = await this.repo.get(parsed.keyId)
    if (k === null || k.revokedAt !== null || !secretMatches(parsed.secret, k.secretHash)) return 'invalid'
    return { id: k.id, name: k.name, scopes: k.scopes }
  }
}

/** The AppError for a failed authentication: one message per failure, no hint which keys exist. */
export function authError(failure: AuthFailure): AppError {
  const detail = {
    missing: bi(
      '此接口需要 API 密钥：请发送 Authorization: Bearer <密钥>',
      'this route needs an API key: send Authorization: Bearer <key>',
    ),
    malformed: bi(
      'Authorization 头不是带 jifen 密钥的 `Bearer <密钥>`',
      'the Authorization header is not `Bearer <key>` with a jifen key',
    ),
    invalid: bi('API 密钥无效：不存在或已吊销', 'the API key is not valid: unknown or revoked'),
  }[failure]
  return new AppError('UNAUTHORIZED', detail, [{ path: 'headers.authorization', message: detail }])
}
