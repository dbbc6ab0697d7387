// Reading and verifying the audit log: pages for the API, a walk of the whole hash chain for `jifen audit verify`.
import type { AuditPage, AuditRepository } from '../repositories/types.ts'
import { type ChainVerdict, verifyChainStream } from '../security/audit-chain.ts'

export class AuditService {
  constructor(private readonly repo: AuditRepository) {}

  page(after: number, limit: number): Promise<AuditPage> {
    return this.repo.page(after, limit)
  }

  /** Walks every entry in order; the verdict names the first broken link. */
  verify(): Promise<ChainVerdict> {
    return verifyChainStream(this.repo.entries())
  }
}
