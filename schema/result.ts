// What an evaluation returns: totals, layers, per-item breakdown, deductions, gates, table identity.
import { z } from 'zod'
import { DateStringSchema, JurisdictionSchema } from './common.ts'

export const RulesetRefSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    sha256: z.string().meta({ description: 'SHA-256 of the canonical JSON of the resolved table' }),
    scheme: z.string(),
    jurisdiction: JurisdictionSchema,
    validFrom: DateStringSchema,
    validTo: DateStringSchema.nullable(),
  })
  .meta({ id: 'RulesetRef' })
export type RulesetRef = z.infer<typeof RulesetRefSchema>

const FactValueSchema = z.union([z.number(), z.string(), z.boolean(), z.null(), z.record(z.string(), z.unknown())])

export const ItemResultSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    layer: z.string(),
    value: FactValueSchema.meta({ description: 'the raw fact(s) the item scored' }),
    pointsBeforeCap: z.number(),
    points: z.number().meta({ description: 'points after the item cap and any highest-only rule' }),
    cap: z.number().nullable(),
    ref: z.string(),
    provisional: z.boolean(),
    detail: z.string().meta({ description: 'how the points were reached, in words' }),
  })
  .meta({ id: 'ItemResult' })
export type ItemResult = z.infer<typeof ItemResultSchema>

export const LayerResultSchema = z
  .object({ id: z.string(), label: z.string(), pointsBeforeCap: z.number(), points: z.number(), cap: z.number() })
  .meta({ id: 'LayerResult' })
export type LayerResult = z.infer<typeof LayerResultSchema>

export const DeductionResultSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    recordDate: DateStringSchema,
    points: z.number().meta({ description: 'points deducted (positive)' }),
    frozenUntil: DateStringSchema.nullable().meta({ description: 'last day of the freeze this record causes' }),
    ref: z.string(),
    provisional: z.boolean(),
  })
  .meta({ id: 'DeductionResult' })
export type DeductionResult = z.infer<typeof DeductionResultSchema>

export const GateResultSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    passed: z.boolean(),
    reason: z.string(),
    ref: z.string(),
    provisional: z.boolean(),
    at: DateStringSchema.meta({ description: 'the date the gate was evaluated as of' }),
  })
  .meta({ id: 'GateResult' })
export type GateResult = z.infer<typeof GateResultSchema>

export const PointsResultSchema = z
  .object({
    scheme: z.literal('points'),
    jurisdiction: JurisdictionSchema,
    asOf: DateStringSchema,
    total: z.number(),
    layers: z.array(LayerResultSchema),
    items: z.array(ItemResultSchema),
    deductions: z.array(DeductionResultSchema),
    frozenUntil: DateStringSchema.nullable().meta({ description: 'last day of a freeze in force on the as-of date' }),
    eligible: z.boolean().meta({ description: 'the score may be used for a rationed benefit' }),
    gates: z.array(GateResultSchema),
    provisional: z.boolean().meta({ description: 'some row that contributed is provisional' }),
    provisionalRows: z.array(z.string()).meta({ description: 'ids of the provisional rows this result used' }),
    ruleset: RulesetRefSchema,
    factsSha256: z.string(),
  })
  .meta({ id: 'PointsResult' })
export type PointsResult = z.infer<typeof PointsResultSchema>
