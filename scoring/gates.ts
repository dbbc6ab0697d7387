// Gates: named conditions that pass or fail with a reason, compiled once per table.
import type { GateResult } from '../schema/result.ts'
import type { Gate } from '../schema/table.ts'
import {
  type CompiledCondition,
  compileCondition,
  type Env,
  type FactScope,
  stringsUnder,
} from './conditions.ts'
import { isProvisional, reasonOf } from './provisional.ts'

export class CompiledGate {
  readonly cond: CompiledCondition
  /** a gate read wholly at one named date (e.g. insurance as of 30 April) reports that date */
  readonly onlyDate: string | null

  constructor(
    readonly gate: Gate,
    scope: FactScope,
    path: string,
  ) {
    this.cond = compileCondition(gate.when, scope, `${path}.when`)
    const dates = [...stringsUnder('at', gate.when)]
    this.onlyDate = dates.length === 1 ? dates[0] : null
    this.provisional = isProvisional(gate.provisional)
    this.reason = reasonOf(gate.provisional).provisionalReason
    this.passedHead = '符合条件：'
    this.failedHead = `${gate.failReason ?? '不符合条件'}：`
  }

  /** the gate's provisional mark and reason (reasonOf), worked out once */
  private readonly provisional: boolean
  private readonly reason: string | undefined
  /** the reason's head when the gate passes, and when it fails */
  private readonly passedHead: string
  private readonly failedHead: string

  /** whether the gate passes: all that scoring needs */
  test(env: Env): boolean {
    return this.cond.test(env)
  }

  /** The gate's row of a breakdown, as plain data, with its reason in words. */
  explain(env: Env, passed: boolean, asOf: string): GateResult {
    const g = this.gate
    const reason = (passed ? this.passedHead : this.failedHead) + this.cond.explain(env)
    const at = this.onlyDate === null ? asOf : env.dateOf(this.onlyDate)
    // two literals rather than a spread of reasonOf: one fixed shape each, and the same key order
    if (this.reason === undefined)
      return { id: g.id, label: g.label, passed, reason, ref: g.ref, provisional: this.provisional, at }
    return {
      id: g.id,
      label: g.label,
      passed,
      reason,
      ref: g.ref,
      provisional: this.provisional,
      provisionalReason: this.reason,
      at,
    }
  }
}
