// What an evaluation returns: totals, layers, per-item breakdown, deductions, gates, table identity.
import { z } from 'zod'
import { DateStringSchema, JurisdictionSchema } from './common.ts'
import { ReferenceKeySchema, ReferenceSchema, RefSchema } from './table.ts'

/** The references a result's rows cite, by key: each row's `ref` names one or more of them. */
const ReferencesSchema = z.record(ReferenceKeySchema, ReferenceSchema).meta({
  description:
    'the legal references of the table, by the keys the rows’ `ref` name; absent for a table stored before references were data (its rows cite free text)',
})

export const RulesetRefSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    sha256: z.string().meta({ description: 'SHA-256 of the canonical JSON of the resolved table' }),
    scheme: z.string(),
    jurisdiction: JurisdictionSchema,
    validFrom: DateStringSchema,
    validTo: DateStringSchema.nullable(),
    provisional: z
      .boolean()
      .meta({ description: 'the table has provisional parts (values or dates): see its notes' }),
    provisionalFields: z.array(z.string()).optional().meta({
      description:
        'the table-level fields that are provisional (validFrom, validTo, dates.<name>; `*`: the whole table); rows say their own in provisionalRows',
    }),
    components: z
      .array(
        z.object({
          id: z.string(),
          version: z.number().int(),
          sha256: z.string().meta({ description: 'SHA-256 of the canonical JSON of that resolved table' }),
        }),
      )
      .optional()
      .meta({
        description:
          'a table built on others (`extends`, `supersedes`): each table it was built from, innermost base first, with its hash',
      }),
  })
  .meta({ id: 'RulesetRef' })
export type RulesetRef = z.infer<typeof RulesetRefSchema>

const FactValueSchema = z.union([
  z.number(),
  z.string(),
  z.boolean(),
  z.null(),
  z.record(z.string(), z.unknown()),
])

/** What an item scored, twice: as the facts hold it (`raw`) and in Chinese (`label`). */
export const ItemValueSchema = z
  .object({
    raw: FactValueSchema.meta({
      description:
        'the fact(s) the item scored, in the caller’s vocabulary: a number, an enum value, true/false, the tier matched, several facts by name, or null (not known)',
    }),
    label: z
      .string()
      .meta({ description: 'the same in Chinese: 大专, 是, 86 个月, 未提供毕业信息（graduation）' }),
  })
  .meta({ id: 'ItemValue' })
export type ItemValue = z.infer<typeof ItemValueSchema>

export const ItemResultSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    layer: z.string(),
    value: ItemValueSchema.meta({
      description: 'the fact(s) the item scored: `raw` and its Chinese `label`',
    }),
    pointsBeforeCap: z.number(),
    points: z.number().meta({ description: 'points after the item cap and any highest-only rule' }),
    cap: z.number().nullable(),
    ref: RefSchema,
    provisional: z.boolean(),
    detail: z.string().meta({ description: 'how the points were reached, in words' }),
  })
  .meta({ id: 'ItemResult' })
export type ItemResult = z.infer<typeof ItemResultSchema>

export const LayerResultSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    pointsBeforeCap: z.number(),
    points: z.number(),
    cap: z.number(),
  })
  .meta({ id: 'LayerResult' })
export type LayerResult = z.infer<typeof LayerResultSchema>

export const DeductionResultSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    recordDate: DateStringSchema,
    points: z.number().meta({ description: 'points deducted (positive)' }),
    frozenUntil: DateStringSchema.nullable().meta({
      description: 'last day of the freeze this record causes',
    }),
    ref: RefSchema,
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
    ref: RefSchema,
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
    frozenUntil: DateStringSchema.nullable().meta({
      description: 'last day of a freeze in force on the as-of date',
    }),
    eligible: z.boolean().meta({ description: 'the score may be used for a rationed benefit' }),
    gates: z.array(GateResultSchema),
    provisional: z.boolean().meta({
      description: 'some row that contributed is provisional, or the table itself is (e.g. its start date)',
    }),
    provisionalRows: z
      .array(z.string())
      .meta({ description: 'ids of the provisional rows this result used' }),
    ruleset: RulesetRefSchema,
    references: ReferencesSchema.optional(),
    factsSha256: z.string(),
  })
  .meta({ id: 'PointsResult' })
export type PointsResult = z.infer<typeof PointsResultSchema>

const resultBase = {
  jurisdiction: JurisdictionSchema,
  asOf: DateStringSchema,
  provisional: z.boolean(),
  provisionalRows: z.array(z.string()),
  ruleset: RulesetRefSchema,
  references: ReferencesSchema.optional(),
}

export const EntitlementResultSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    kind: z.enum(['basic_service', 'convenience', 'conditional']),
    granted: z.boolean(),
    reason: z.string(),
    ref: RefSchema,
    provisional: z.boolean(),
  })
  .meta({ id: 'EntitlementResult' })
export type EntitlementResult = z.infer<typeof EntitlementResultSchema>

export const PermitStatusSchema = z
  .object({
    held: z.boolean(),
    valid: z.boolean(),
    validSince: DateStringSchema.nullable(),
    lateEndorsements: z.number().int(),
  })
  .meta({ id: 'PermitStatus' })

export const PermitResultSchema = z
  .object({
    scheme: z.literal('residence-permit'),
    ...resultBase,
    eligible: z.boolean().meta({ description: 'the applicant meets the gate for a residence permit' }),
    gates: z.array(GateResultSchema),
    permit: PermitStatusSchema,
    entitlements: z.array(EntitlementResultSchema),
    factsSha256: z.string(),
  })
  .meta({ id: 'PermitResult' })
export type PermitResult = z.infer<typeof PermitResultSchema>

export const RouteResultSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    available: z.boolean().meta({ description: 'the route exists in the period of the as-of date' }),
    passed: z.boolean(),
    reason: z.string(),
    gates: z.array(GateResultSchema),
    ref: RefSchema,
    provisional: z.boolean(),
  })
  .meta({ id: 'RouteResult' })
export type RouteResult = z.infer<typeof RouteResultSchema>

export const PointsSettlementResultSchema = z
  .object({
    threshold: z.number(),
    yearlyQuota: z.number().int(),
    points: z.number().nullable(),
    passed: z.boolean().meta({
      description: 'over the threshold and every gate passed: may apply; the quota is filled by rank',
    }),
    reason: z.string(),
    gates: z.array(GateResultSchema),
    pointsRuleset: RulesetRefSchema.nullable(),
    ref: RefSchema,
    provisional: z.boolean(),
  })
  .meta({ id: 'PointsSettlementResult' })

export const SettlementResultSchema = z
  .object({
    scheme: z.literal('settlement'),
    ...resultBase,
    eligible: z.boolean().meta({ description: 'at least one route passes' }),
    routes: z.array(RouteResultSchema),
    pointsSettlement: PointsSettlementResultSchema.nullable(),
    pointsSettlementReason: z.string().optional().meta({
      description: 'present when `pointsSettlement` is null: why there is no points settlement, in Chinese',
    }),
    factsSha256: z.string(),
  })
  .meta({ id: 'SettlementResult' })
export type SettlementResult = z.infer<typeof SettlementResultSchema>

export const AdmissionResultSchema = z
  .object({
    scheme: z.literal('admission'),
    ...resultBase,
    eligible: z.boolean().meta({ description: 'every admission gate passed' }),
    gates: z.array(GateResultSchema),
    priorityTier: z
      .object({
        id: z.string(),
        label: z.string(),
        rank: z.number().int(),
        ref: RefSchema,
        provisional: z.boolean(),
      })
      .nullable()
      .meta({ description: 'the priority tier the child is placed in first, or null: ranked by points' }),
    points: z
      .number()
      .nullable()
      .meta({ description: 'household points: the higher-scoring parent whose score may be used' }),
    scoringParent: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'index in parents[] of the parent whose points count' }),
    parents: z.array(
      z.object({
        total: z
          .number()
          .nullable()
          .meta({ description: 'null: no points table in force on the as-of date' }),
        eligible: z.boolean(),
        frozenUntil: DateStringSchema.nullable(),
        ruleset: RulesetRefSchema.nullable(),
      }),
    ),
    insuranceMonths: z
      .number()
      .meta({ description: 'social-insurance months of the scoring parent (a default tie-break)' }),
    residenceMonths: z
      .number()
      .meta({ description: 'residence months of the scoring parent (a default tie-break)' }),
    factsSha256: z.string(),
  })
  .meta({ id: 'AdmissionResult' })
export type AdmissionResult = z.infer<typeof AdmissionResultSchema>
