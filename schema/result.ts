// What an evaluation returns: totals, layers, per-item breakdown, deductions, gates, table identity.
import { z } from 'zod'
import { DateStringSchema, JurisdictionSchema } from './common.ts'
import { ReferenceKeySchema, ReferenceSchema, RefSchema } from './table.ts'

/** The references a result's rows cite, by key: each row's `ref` names one or more of them. */
const ReferencesSchema = z.record(ReferenceKeySchema, ReferenceSchema).meta({
  description:
    'the legal references of the table, by the keys the rows’ `ref` name; absent for a table stored before references were data (its rows cite free text)',
  example: {
    'nb-points-2022': {
      title: '宁波市新居民积分管理办法',
      documentNumber: '甬政办发〔2022〕48号',
      status: 'V',
    },
  },
})

/** A hex SHA-256, as results and records print them. */
const SHA256_EXAMPLE = '9f2c4e1a7b3d5f60812a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d'
const provisional = (what: string) =>
  z.boolean().meta({
    description: `${what} is provisional (a value or date not yet confirmed by a published text)`,
    example: false,
  })
/** present only when the table's row gives a reason (`provisional: { reason }`): rows marked `true` have none */
const provisionalReason = (what: string) =>
  z
    .string()
    .optional()
    .meta({
      description: `why ${what} is provisional, as the table gives it; absent when it gives no reason`,
      example: '以正式发文为准',
    })
const rowId = (what: string, example: string) =>
  z.string().meta({ description: `the ${what}’s id in the table`, example })
const rowLabel = (what: string, example: string) =>
  z.string().meta({ description: `the ${what}’s name in Chinese, as the table gives it`, example })
const factsSha256 = () =>
  z.string().meta({
    description: 'SHA-256 of the canonical JSON of the facts evaluated (after defaults): replay checks it',
    example: SHA256_EXAMPLE,
  })
const reasonText = (example: string) =>
  z.string().meta({ description: 'why, in a Chinese sentence naming the facts it used', example })

export const RulesetRefSchema = z
  .object({
    id: z
      .string()
      .meta({ description: 'the table’s id (without its version)', example: 'yinzhou-points-2022' }),
    version: z
      .number()
      .int()
      .meta({ description: 'the table’s version; `id@version` is its key', example: 1 }),
    sha256: z
      .string()
      .meta({ description: 'SHA-256 of the canonical JSON of the resolved table', example: SHA256_EXAMPLE }),
    scheme: z.string().meta({
      description: 'what the table decides: points, residence-permit, settlement or admission',
      example: 'points',
    }),
    jurisdiction: JurisdictionSchema.meta({
      description: 'where the table applies (GB/T 2260)',
      example: '330212',
    }),
    validFrom: DateStringSchema.meta({
      description: 'first day the table is in force',
      example: '2022-07-01',
    }),
    validTo: DateStringSchema.nullable().meta({
      description: 'last day the table is in force; null while it has no end',
      example: null,
    }),
    provisional: z.boolean().meta({
      description: 'the table has provisional parts (values or dates): see its notes',
      example: false,
    }),
    provisionalFields: z
      .array(z.string())
      .optional()
      .meta({
        description:
          'the table-level fields that are provisional (validFrom, validTo, dates.<name>; `*`: the whole table); rows say their own in provisionalRows',
        example: ['validFrom'],
      }),
    components: z
      .array(
        z.object({
          id: z.string().meta({ description: 'the base table’s id', example: 'ningbo-points-2022' }),
          version: z.number().int().meta({ description: 'the base table’s version', example: 1 }),
          sha256: z.string().meta({
            description: 'SHA-256 of the canonical JSON of that resolved table',
            example: SHA256_EXAMPLE,
          }),
        }),
      )
      .optional()
      .meta({
        description:
          'a table built on others (`extends`, `supersedes`): each table it was built from, innermost base first, with its hash',
        example: [{ id: 'ningbo-points-2022', version: 1, sha256: SHA256_EXAMPLE }],
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
      example: 'junior_college',
    }),
    label: z.string().meta({
      description: 'the same in Chinese: 大专, 是, 86 个月, 未提供毕业信息（graduation）',
      example: '大专',
    }),
  })
  .meta({ id: 'ItemValue' })
export type ItemValue = z.infer<typeof ItemValueSchema>

export const ItemResultSchema = z
  .object({
    id: rowId('item', 'education'),
    label: rowLabel('item', '学历'),
    layer: z
      .string()
      .meta({ description: 'the id of the layer (city or district) the item counts in', example: 'city' }),
    value: ItemValueSchema.meta({
      description: 'the fact(s) the item scored: `raw` and its Chinese `label`',
    }),
    pointsBeforeCap: z.number().meta({ description: 'points before the item’s cap', example: 20 }),
    points: z
      .number()
      .meta({ description: 'points after the item cap and any highest-only rule', example: 20 }),
    cap: z.number().nullable().meta({ description: 'the item’s cap; null when it has none', example: null }),
    ref: RefSchema,
    provisional: provisional('the row'),
    provisionalReason: provisionalReason('the row'),
    detail: z
      .string()
      .meta({ description: 'how the points were reached, in words', example: '学历 大专：20 分' }),
  })
  .meta({ id: 'ItemResult' })
export type ItemResult = z.infer<typeof ItemResultSchema>

export const LayerResultSchema = z
  .object({
    id: z.string().meta({ description: 'the layer’s id: city or district', example: 'district' }),
    label: rowLabel('layer', '鄞州区积分'),
    pointsBeforeCap: z
      .number()
      .meta({ description: 'the layer’s items summed, before its cap', example: 12 }),
    points: z.number().meta({ description: 'the layer’s points after its cap', example: 10 }),
    cap: z.number().meta({ description: 'the most the layer may add', example: 10 }),
  })
  .meta({ id: 'LayerResult' })
export type LayerResult = z.infer<typeof LayerResultSchema>

export const DeductionResultSchema = z
  .object({
    id: rowId('deduction', 'dishonesty'),
    label: rowLabel('deduction', '失信记录'),
    recordDate: DateStringSchema.meta({ description: 'the day of the record', example: '2022-08-10' }),
    points: z.number().meta({ description: 'points deducted (positive)', example: 20 }),
    frozenUntil: DateStringSchema.nullable().meta({
      description: 'last day of the freeze this record causes',
      example: '2023-08-09',
    }),
    ref: RefSchema,
    provisional: provisional('the row'),
    provisionalReason: provisionalReason('the row'),
  })
  .meta({ id: 'DeductionResult' })
export type DeductionResult = z.infer<typeof DeductionResultSchema>

export const GateResultSchema = z
  .object({
    id: rowId('gate', 'insured_months'),
    label: rowLabel('gate', '社保缴纳满 6 个月'),
    passed: z.boolean().meta({ description: 'the condition holds', example: true }),
    reason: reasonText('在宁波缴纳社保 86 个月（需 ≥ 6）'),
    ref: RefSchema,
    provisional: provisional('the gate'),
    provisionalReason: provisionalReason('the gate'),
    at: DateStringSchema.meta({
      description: 'the date the gate was evaluated as of',
      example: '2026-04-30',
    }),
  })
  .meta({ id: 'GateResult' })
export type GateResult = z.infer<typeof GateResultSchema>

export const PointsResultSchema = z
  .object({
    scheme: z.literal('points').meta({ description: 'a points evaluation' }),
    jurisdiction: JurisdictionSchema.meta({
      description: 'where the points were computed (GB/T 2260)',
      example: '330212',
    }),
    asOf: DateStringSchema.meta({
      description: 'the day the points were computed as of',
      example: '2026-04-30',
    }),
    total: z
      .number()
      .meta({ description: 'the points: the layers’ points less the deductions', example: 96.5 }),
    layers: z.array(LayerResultSchema).meta({ description: 'the points of each layer (city, district)' }),
    items: z
      .array(ItemResultSchema)
      .meta({ description: 'every item of the table, scored or not, with how' }),
    deductions: z
      .array(DeductionResultSchema)
      .meta({ description: 'the points taken off for records', example: [] }),
    frozenUntil: DateStringSchema.nullable().meta({
      description: 'last day of a freeze in force on the as-of date',
      example: null,
    }),
    eligible: z
      .boolean()
      .meta({ description: 'the score may be used for a rationed benefit', example: true }),
    gates: z
      .array(GateResultSchema)
      .meta({ description: 'the conditions for using the score, each with its result' }),
    provisional: z.boolean().meta({
      description: 'some row that contributed is provisional, or the table itself is (e.g. its start date)',
      example: false,
    }),
    provisionalRows: z
      .array(z.string())
      .meta({ description: 'ids of the provisional rows this result used', example: [] }),
    ruleset: RulesetRefSchema.meta({ description: 'the table that computed this result' }),
    references: ReferencesSchema.optional(),
    factsSha256: factsSha256(),
  })
  .meta({ id: 'PointsResult' })
export type PointsResult = z.infer<typeof PointsResultSchema>

const resultBase = {
  jurisdiction: JurisdictionSchema.meta({
    description: 'where the result applies (GB/T 2260)',
    example: '330200',
  }),
  asOf: DateStringSchema.meta({
    description: 'the day the result was computed as of',
    example: '2026-04-30',
  }),
  provisional: z.boolean().meta({
    description: 'some row that contributed is provisional, or the table itself is',
    example: false,
  }),
  provisionalRows: z
    .array(z.string())
    .meta({ description: 'ids of the provisional rows this result used', example: [] }),
  ruleset: RulesetRefSchema.meta({ description: 'the table that computed this result' }),
  references: ReferencesSchema.optional(),
}

export const EntitlementResultSchema = z
  .object({
    id: rowId('entitlement', 'compulsory_education'),
    label: rowLabel('entitlement', '随迁子女义务教育'),
    kind: z.enum(['basic_service', 'convenience', 'conditional']).meta({
      description: 'a basic public service, a convenience, or one with conditions of its own',
      example: 'basic_service',
    }),
    granted: z.boolean().meta({ description: 'the permit holder has it on the as-of date', example: true }),
    reason: reasonText('持有有效居住证'),
    ref: RefSchema,
    provisional: provisional('the row'),
    provisionalReason: provisionalReason('the row'),
  })
  .meta({ id: 'EntitlementResult' })
export type EntitlementResult = z.infer<typeof EntitlementResultSchema>

export const PermitStatusSchema = z
  .object({
    held: z.boolean().meta({ description: 'a residence permit was issued', example: true }),
    valid: z
      .boolean()
      .meta({ description: 'the permit is valid on the as-of date (endorsed in time)', example: true }),
    validSince: DateStringSchema.nullable().meta({
      description: 'since when it has been valid without a break; null when it is not valid',
      example: '2019-03-01',
    }),
    lateEndorsements: z
      .number()
      .int()
      .meta({ description: 'endorsements made after the year they were due', example: 0 }),
  })
  .meta({ id: 'PermitStatus' })

export const PermitResultSchema = z
  .object({
    scheme: z.literal('residence-permit').meta({ description: 'a residence-permit check' }),
    ...resultBase,
    eligible: z
      .boolean()
      .meta({ description: 'the applicant meets the gate for a residence permit', example: true }),
    gates: z
      .array(GateResultSchema)
      .meta({ description: 'the conditions for a permit, each with its result' }),
    permit: PermitStatusSchema.meta({
      description: 'the permit the applicant holds, and whether it is valid',
    }),
    entitlements: z
      .array(EntitlementResultSchema)
      .meta({ description: 'the services a permit holder has, each granted or not' }),
    factsSha256: factsSha256(),
  })
  .meta({ id: 'PermitResult' })
export type PermitResult = z.infer<typeof PermitResultSchema>

export const RouteResultSchema = z
  .object({
    id: rowId('route', 'graduates'),
    label: rowLabel('route', '高校毕业生落户'),
    available: z
      .boolean()
      .meta({ description: 'the route exists in the period of the as-of date', example: true }),
    passed: z.boolean().meta({ description: 'every gate of the route passed', example: false }),
    reason: reasonText('未提供毕业信息（graduation）'),
    gates: z.array(GateResultSchema).meta({ description: 'the route’s conditions, each with its result' }),
    ref: RefSchema,
    provisional: provisional('the route'),
    provisionalReason: provisionalReason('the route'),
  })
  .meta({ id: 'RouteResult' })
export type RouteResult = z.infer<typeof RouteResultSchema>

export const PointsSettlementResultSchema = z
  .object({
    threshold: z.number().meta({ description: 'the points needed to apply', example: 120 }),
    yearlyQuota: z.number().int().meta({ description: 'places a year filled by rank', example: 3000 }),
    points: z.number().nullable().meta({
      description: 'the applicant’s points; null when no points table is in force on the as-of date',
      example: 96.5,
    }),
    passed: z.boolean().meta({
      description: 'over the threshold and every gate passed: may apply; the quota is filled by rank',
      example: false,
    }),
    reason: reasonText('积分 96.5 分，未达到 120 分'),
    gates: z
      .array(GateResultSchema)
      .meta({ description: 'the conditions of the points route, each with its result' }),
    pointsRuleset: RulesetRefSchema.nullable().meta({
      description: 'the points table used; null when none is in force on the as-of date',
    }),
    ref: RefSchema,
    provisional: provisional('the route'),
    provisionalReason: provisionalReason('the route'),
  })
  .meta({ id: 'PointsSettlementResult' })

export const SettlementResultSchema = z
  .object({
    scheme: z.literal('settlement').meta({ description: 'a settlement (落户) check' }),
    ...resultBase,
    eligible: z.boolean().meta({ description: 'at least one route passes', example: false }),
    routes: z.array(RouteResultSchema).meta({ description: 'every settlement route, each with its result' }),
    pointsSettlement: PointsSettlementResultSchema.nullable().meta({
      description: 'the points route (积分落户); null when the table in force has none',
    }),
    pointsSettlementReason: z.string().optional().meta({
      description: 'present when `pointsSettlement` is null: why there is no points settlement, in Chinese',
      example: '本表未设积分落户',
    }),
    factsSha256: factsSha256(),
  })
  .meta({ id: 'SettlementResult' })
export type SettlementResult = z.infer<typeof SettlementResultSchema>

export const AdmissionResultSchema = z
  .object({
    scheme: z.literal('admission').meta({ description: 'a school-admission check' }),
    ...resultBase,
    eligible: z.boolean().meta({ description: 'every admission gate passed', example: true }),
    gates: z.array(GateResultSchema).meta({ description: 'the admission conditions, each with its result' }),
    priorityTier: z
      .object({
        id: rowId('tier', 'hukou_and_home'),
        label: rowLabel('tier', '户籍与房产一致'),
        rank: z.number().int().meta({ description: 'the tier’s order: 1 is admitted first', example: 1 }),
        ref: RefSchema,
        provisional: provisional('the tier'),
        provisionalReason: provisionalReason('the tier'),
      })
      .nullable()
      .meta({
        description: 'the priority tier the child is placed in first, or null: ranked by points',
        example: null,
      }),
    points: z.number().nullable().meta({
      description: 'household points: the higher-scoring parent whose score may be used',
      example: 96.5,
    }),
    scoringParent: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'index in parents[] of the parent whose points count', example: 0 }),
    parents: z
      .array(
        z.object({
          total: z.number().nullable().meta({
            description: 'the parent’s points; null: no points table in force on the as-of date',
            example: 96.5,
          }),
          eligible: z.boolean().meta({ description: 'the parent’s score may be used', example: true }),
          frozenUntil: DateStringSchema.nullable().meta({
            description: 'last day of a freeze on the parent’s points; null when none',
            example: null,
          }),
          ruleset: RulesetRefSchema.nullable().meta({ description: 'the points table used for the parent' }),
        }),
      )
      .meta({
        description: 'each parent’s points, in the order of household.parents',
        example: [{ total: 96.5, eligible: true, frozenUntil: null, ruleset: null }],
      }),
    insuranceMonths: z.number().meta({
      description: 'social-insurance months of the scoring parent (a default tie-break)',
      example: 86,
    }),
    residenceMonths: z
      .number()
      .meta({ description: 'residence months of the scoring parent (a default tie-break)', example: 86 }),
    factsSha256: factsSha256(),
  })
  .meta({ id: 'AdmissionResult' })
export type AdmissionResult = z.infer<typeof AdmissionResultSchema>
