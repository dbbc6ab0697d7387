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
  }

  run(env: Env, asOf: string): GateRow {
    const at = this.onlyDate === null ? asOf : env.dateOf(this.onlyDate)
    return new GateRow(this, env, this.cond.test(env), at)
  }

  explain(env: Env, passed: boolean): string {
    const facts = this.cond.explain(env)
    if (passed) return `满足：${facts}`
    return `${this.gate.failReason ? `${this.gate.failReason}：` : '不满足：'}${facts}`
  }
}

/**
 * One gate's outcome. Its `reason` is rendered when read (serialised, validated, compared):
 * toJSON includes it, while work that only needs pass/fail never builds the text.
 */
export class GateRow implements GateResult {
  readonly id: string
  readonly label: string
  readonly ref: GateResult['ref']
  readonly provisional: boolean
  readonly #compiled: CompiledGate
  readonly #env: Env

  constructor(
    compiled: CompiledGate,
    env: Env,
    readonly passed: boolean,
    readonly at: string,
  ) {
    this.id = compiled.gate.id
    this.label = compiled.gate.label
    this.ref = compiled.gate.ref
    this.provisional = compiled.gate.provisional
    this.#compiled = compiled
    this.#env = env
  }

  get reason(): string {
    return this.#compiled.explain(this.#env, this.passed)
  }

  toJSON(): GateResult {
    const { id, label, passed, reason, ref, provisional, at } = this
    return { id, label, passed, reason, ref, provisional, at }
  }
}
