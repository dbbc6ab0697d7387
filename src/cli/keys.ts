// `jifen keys create|list|revoke`: API keys, printed once at creation and stored only as a hash.
import type { Command } from 'commander'
import { systemClock } from '../clock.ts'
import { openStorage } from '../repositories/open.ts'
import type { StoredApiKey } from '../repositories/types.ts'
import { ApiKeyService, KeyError, parseScopes } from '../services/api-keys.ts'
import { Recorder } from '../services/recorder.ts'
import { cliActor, cliAuditKey, cliConfig, DB_OPTION } from './storage.ts'
import { UsageError } from './usage-error.ts'

async function withKeys<T>(db: string | undefined, run: (keys: ApiKeyService) => Promise<T>): Promise<T> {
  const config = cliConfig(db)
  const storage = await openStorage(config)
  try {
    const recorder = new Recorder(storage, systemClock, { auditKey: await cliAuditKey(config, storage) })
    return await run(new ApiKeyService(storage.apiKeys, recorder))
  } catch (e) {
    if (e instanceof KeyError) throw new UsageError(e.message)
    throw e
  } finally {
    await storage.close()
  }
}

function row(k: StoredApiKey): string {
  return [k.id, k.name, k.scopes.join(','), k.createdAt, k.revokedAt ?? 'active'].join('\t')
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('create, list and revoke API keys')
  keys
    .command('create')
    .description('issue a key; it is printed once on standard output and stored only as a hash')
    .requiredOption('--name <name>', 'a unique name; audit entries show it')
    .requiredOption('--scopes <list>', 'comma-separated: police, education, admin, auditor')
    .option(...DB_OPTION)
    .action(async (opts: { name: string; scopes: string; db?: string }) => {
      const scopes = (() => {
        try {
          return parseScopes(opts.scopes)
        } catch (e) {
          throw new UsageError((e as Error).message)
        }
      })()
      const { key, record } = await withKeys(opts.db, (k) => k.create(opts.name, scopes, cliActor()))
      // the key alone on stdout, so that `KEY=$(jifen keys create …)` captures it; the rest on stderr
      process.stdout.write(`${key}\n`)
      process.stderr.write(
        `created key ${record.name} (id ${record.id}) with scopes ${record.scopes.join(', ')}; this is the only time it is shown\n`,
      )
    })
  keys
    .command('list')
    .description('list keys (id, name, scopes, created, revoked); never the keys themselves')
    .option('--json', 'one JSON array instead of tab-separated lines')
    .option(...DB_OPTION)
    .action(async (opts: { json?: boolean; db?: string }) => {
      const list = await withKeys(opts.db, (k) => k.list())
      if (opts.json) {
        const out = list.map(({ secretHash: _hidden, ...k }) => k)
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
      } else {
        process.stdout.write(['id\tname\tscopes\tcreated\trevoked', ...list.map(row)].join('\n') + '\n')
      }
    })
  keys
    .command('revoke')
    .description('revoke a key by id or by name; the next request with it is refused')
    .argument('[id]', 'the key id (the 12 hex characters after jf_)')
    .option('--name <name>', 'the key name, instead of its id')
    .option(...DB_OPTION)
    .action(async (id: string | undefined, opts: { name?: string; db?: string }) => {
      const which = opts.name ?? id
      if (which === undefined || (opts.name !== undefined && id !== undefined))
        throw new UsageError('give the key id or --name NAME (one of them)')
      const k = await withKeys(opts.db, (keys) => keys.revoke(which, cliActor()))
      process.stderr.write(`revoked key ${k.name} (id ${k.id}) at ${k.revokedAt}\n`)
    })
}
