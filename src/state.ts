// The app's services and start-up state as types, apart from src/app.ts so that routes need not import the app that registers them.

import type { Clock } from './clock.ts'
import type { Storage } from './repositories/types.ts'
import type { AdmissionService } from './services/admission.ts'
import type { ApiKeyService } from './services/api-keys.ts'
import type { AuditService } from './services/audit.ts'
import type { PointsService } from './services/points.ts'
import type { RulesetService } from './services/rulesets.ts'
import type { SchemeService } from './services/schemes.ts'
import type { SimulationService } from './services/simulation.ts'

export interface Services {
  rulesets: RulesetService
  points: PointsService
  schemes: SchemeService
  keys: ApiKeyService
  audit: AuditService
  admission: AdmissionService
  simulations: SimulationService
  /** saved idempotent answers: `prune` deletes the expired ones (run hourly; tests call it) */
  idempotency: { prune(): Promise<number> }
  /** today's date and record timestamps come from here (tests fix it) */
  clock: Clock
}

/** What /readyz reports; filled in as start-up proceeds. */
export interface AppState {
  migrated: boolean
  tablesLoaded: boolean
  publishedRulesets: number
  storage: Storage | null
  services: Services | null
}
