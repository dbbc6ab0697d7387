// Request and response bodies of the HTTP API, built from the applicant, result and table shapes; with examples.
import { z } from 'zod'
import { ApplicantSchema } from './applicant.ts'
import { boundedRecord, DateStringSchema, JurisdictionSchema } from './common.ts'
import { FieldErrorSchema } from './errors.ts'
import { PermitResultSchema, PointsResultSchema, SettlementResultSchema } from './result.ts'
import {
  ConditionSchema,
  GateSchema,
  ItemSchema,
  LayerSchema,
  ReferenceSchema,
  RefSchema,
  SchemeSchema,
  TableSchema,
  TableSourceSchema,
} from './table.ts'

// Ids for table parts that schema/table.ts leaves anonymous. The recursive ConditionSchema needs one:
// without it zod emits a `__shared` $defs block whose $ref fastify-type-provider-zod does not rewrite,
// so the document's references dangle. The others keep the table shapes from being inlined twice
// (Table and CreateRulesetRequest). Registered only if absent, so ids set in table.ts later win.
for (const [schema, id, description] of [
  [
    ConditionSchema,
    'Condition',
    'a condition on the facts: one fact compared (`fact` with gte, gt, lte, lt, eq, ne or in), or `all`, `any`, `not` of conditions; household tables: `anyMember`, `allMembers` of the parents',
  ],
  [ItemSchema, 'TableItem', 'a scored item of the table (per_unit, bands, tiers, binary or category)'],
  [GateSchema, 'TableGate', 'a condition the result must meet, with the reason shown when it fails'],
  [LayerSchema, 'TableLayer', 'a layer the items count in (city, district), with its cap'],
] as const) {
  if (!z.globalRegistry.has(schema)) z.globalRegistry.add(schema, { id, description })
}

// ---------------------------------------------------------------- examples (shown in /docs)

export const EXAMPLE_APPLICANT = {
  birthDate: '1988-03-02',
  education: 'junior_college',
  skills: [{ kind: 'skill_level', level: 3 }],
  socialInsurance: [{ from: '2019-03', to: null, region: '330212', backPaid: false }],
  residence: {
    registeredSince: '2019-02-20',
    region: '330212',
    permit: {
      issuedOn: '2019-03-01',
      endorsements: [
        '2020-02-20',
        '2021-02-25',
        '2022-02-20',
        '2023-02-20',
        '2024-02-20',
        '2025-02-20',
        '2026-02-20',
      ],
    },
  },
  employment: [{ kind: 'labour_contract', from: '2019-03-01', to: null, region: '330212' }],
  housing: { kind: 'registered_rental', region: '330212', owner: null },
} as const

export const EXAMPLE_POINTS_REQUEST = {
  jurisdiction: '330212',
  asOf: '2026-04-30',
  applicant: EXAMPLE_APPLICANT,
}

/** References as the shipped tables define them (scoring/tables/references.yaml). */
const EXAMPLE_REFERENCES = {
  'ningbo-points-notice': {
    title: '关于实施流动人口量化积分管理的通知',
    documentNumber: '甬政办发〔2022〕10号',
    issuer: '宁波市人民政府办公厅',
    date: '2022',
    status: 'V',
  },
  'residence-permit-regulations': {
    title: '居住证暂行条例',
    documentNumber: '国务院令第663号',
    issuer: '国务院',
    date: '2016-01-01',
    status: 'V',
  },
  'residence-permit-regulations-art2': {
    title: '居住证暂行条例',
    documentNumber: '国务院令第663号',
    article: '第二条',
    issuer: '国务院',
    date: '2016-01-01',
    status: 'V',
  },
  'residence-permit-regulations-art12': {
    title: '居住证暂行条例',
    documentNumber: '国务院令第663号',
    article: '第十二条',
    issuer: '国务院',
    date: '2016-01-01',
    status: 'V',
  },
  'ningbo-hukou-2020': {
    title: '宁波市第三轮放宽户口迁移政策',
    documentNumber: 'document number not found',
    date: '2020-09-11',
    status: 'V',
  },
} as const

const EXAMPLE_RULESET_REF = {
  id: 'yinzhou-points-2022',
  version: 1,
  sha256: '3f5a0c1e9b7d4a2f8c6e1b0d9a7f5c3e1b9d7f5a3c1e9b7d5f3a1c9e7b5d3f1a',
  scheme: 'points',
  jurisdiction: '330212',
  validFrom: '2022-04-01',
  validTo: null,
  provisional: true,
}

/** Abbreviated: the real breakdown lists every item of the table in force. */
export const EXAMPLE_POINTS_RESULT = {
  scheme: 'points',
  jurisdiction: '330212',
  asOf: '2026-04-30',
  total: 107.5,
  layers: [
    { id: 'provincial', label: '省级', pointsBeforeCap: 87.5, points: 87.5, cap: 100 },
    { id: 'city', label: '市级', pointsBeforeCap: 20, points: 20, cap: 150 },
    { id: 'district', label: '鄞州区', pointsBeforeCap: 0, points: 0, cap: 50 },
  ],
  items: [
    {
      id: 'age',
      label: '年龄',
      layer: 'provincial',
      value: { raw: 38, label: '38 周岁' },
      pointsBeforeCap: 20,
      points: 20,
      cap: 20,
      ref: 'ningbo-points-notice',
      provisional: false,
      detail: '年龄（周岁） 38 周岁，区间 18–40：20 → 20',
    },
    {
      id: 'social_insurance',
      label: '社会保险',
      layer: 'provincial',
      value: { raw: 86, label: '86 个月' },
      pointsBeforeCap: 43,
      points: 30,
      cap: 30,
      ref: 'ningbo-points-notice',
      provisional: false,
      detail: '社保缴费月数（浙江省内） 86 × 0.5 = 43；封顶 30',
    },
  ],
  deductions: [],
  frozenUntil: null,
  eligible: true,
  gates: [
    {
      id: 'permit_valid',
      label: '持有效浙江省居住证',
      passed: true,
      reason: '符合条件：居住证有效：是（要求为是，符合）',
      ref: ['ningbo-points-notice', 'residence-permit-regulations'],
      provisional: false,
      at: '2026-04-30',
    },
  ],
  provisional: true,
  provisionalRows: ['veto', 'not_frozen'],
  ruleset: EXAMPLE_RULESET_REF,
  references: {
    'ningbo-points-notice': EXAMPLE_REFERENCES['ningbo-points-notice'],
    'residence-permit-regulations': EXAMPLE_REFERENCES['residence-permit-regulations'],
  },
  factsSha256: '9c1b7e5d3f1a9c7e5b3d1f9a7c5e3b1d9f7a5c3e1b9d7f5a3c1e9b7d5f3a1c9e',
}

// ---------------------------------------------------------------- points

/** Named dates one request may supply: the shipped tables name at most two. */
export const MAX_NAMED_DATES = 32

export const EvaluationRequestSchema = z
  .object({
    jurisdiction: JurisdictionSchema.meta({
      description: 'jurisdiction of use: the district, city or province',
    }),
    asOf: DateStringSchema.meta({
      description: 'the measuring date; the table in force then is used; not after today',
    }),
    applicant: ApplicantSchema,
    dates: boundedRecord(z.string().min(1).max(64), DateStringSchema, MAX_NAMED_DATES)
      .optional()
      .meta({
        description: `dates a table names for the caller to supply (e.g. when online enrolment opens), by name; at most ${MAX_NAMED_DATES}`,
        example: { registration: '2026-04-30' },
      }),
  })
  .strict()
  .meta({ id: 'EvaluationRequest', example: EXAMPLE_POINTS_REQUEST })
export type EvaluationRequest = z.output<typeof EvaluationRequestSchema>

/** A table's identity, spelled one way everywhere: the table id and its version, and the key joining them. */
export const RulesetKeySchema = z
  .object({
    id: z
      .string()
      .meta({ description: 'the table id, the same in every version', example: 'yinzhou-points-2022' }),
    version: z.number().int().min(1).meta({ description: 'the version of the table', example: 1 }),
    key: z.string().meta({
      description:
        '`<id>@<version>`: the one string that names a version; every route that takes a ruleset accepts it (`/v1/rulesets/{key}`)',
      example: 'yinzhou-points-2022@1',
    }),
  })
  .meta({ id: 'RulesetKey', description: 'which table version was used' })
export type RulesetKey = z.output<typeof RulesetKeySchema>

export const RECORD_STATUSES = ['valid', 'void'] as const

export const RecordVoidSchema = z
  .object({
    reason: z
      .string()
      .meta({ description: 'why it was voided, as the caller gave it', example: '出生日期录入错误' }),
    at: z
      .string()
      .meta({ description: 'when it was voided (ISO 8601, UTC)', example: '2026-05-02T01:30:00.000Z' }),
    by: z
      .string()
      .meta({ description: 'the API key that voided it (its name)', example: 'yinzhou-counter-7' }),
    correctedBy: z.uuid().nullable().meta({
      description: 'the record made to replace it; null when it was voided without a correction',
      example: '0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3e',
    }),
  })
  .meta({
    id: 'RecordVoid',
    description: 'a void: the record stays stored and replayable, but no longer stands',
  })

export const PointsEvaluationSchema = z
  .object({
    id: z.uuid().meta({ description: 'the record id', example: '0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3d' }),
    reference: z
      .string()
      .meta({ description: 'human reference number, JF-<year>-<sequence>', example: 'JF-2026-000123' }),
    createdAt: z
      .string()
      .meta({ description: 'when the record was made (ISO 8601, UTC)', example: '2026-04-30T02:15:00.000Z' }),
    rulesetId: z.string().meta({
      description: '`<tableId>@<version>` of the table used (the same as `ruleset.key`)',
      example: 'yinzhou-points-2022@1',
    }),
    ruleset: RulesetKeySchema,
    idNumberMasked: z.string().nullable().meta({
      description: 'the ID number as stored: region and check character only',
      example: '330212***********X',
    }),
    status: z.enum(RECORD_STATUSES).meta({
      description: '`valid`: the record stands; `void`: voided (see `void`), kept and replayable',
      example: 'valid',
      'x-enum-descriptions': { valid: '有效', void: '已作废' },
    }),
    void: RecordVoidSchema.nullable().meta({
      description: 'the void, when the record was voided; else null',
    }),
    corrects: z.uuid().nullable().meta({
      description: 'the voided record this one corrects; null when it is not a correction',
      example: null,
    }),
    result: PointsResultSchema.meta({ description: 'the result as computed and stored' }),
  })
  .meta({
    id: 'PointsEvaluation',
    example: {
      id: '0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3d',
      reference: 'JF-2026-000123',
      createdAt: '2026-04-30T02:15:00.000Z',
      rulesetId: 'yinzhou-points-2022@1',
      ruleset: { id: 'yinzhou-points-2022', version: 1, key: 'yinzhou-points-2022@1' },
      idNumberMasked: null,
      status: 'valid',
      void: null,
      corrects: null,
      result: EXAMPLE_POINTS_RESULT,
    },
  })
export type PointsEvaluation = z.output<typeof PointsEvaluationSchema>

export const ResultDifferenceSchema = z
  .object({
    path: z.string().meta({
      description: 'where the results differ: `total`, `items[age].points`, `gates[permit_valid].passed` …',
      example: 'items[education].points',
    }),
    item: z.string().nullable().meta({
      description: 'the item, gate, layer or deduction id, when the difference is inside one',
      example: 'education',
    }),
    stored: z.unknown().meta({ description: 'the value in the stored result', example: 20 }),
    replayed: z.unknown().meta({ description: 'the value the replay gives', example: 30 }),
  })
  .meta({ id: 'ResultDifference' })
export type ResultDifference = z.output<typeof ResultDifferenceSchema>

export const ReplaySchema = z
  .object({
    id: z
      .uuid()
      .meta({ description: 'the record replayed', example: '0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3d' }),
    reference: z.string().meta({ description: 'the record’s reference number', example: 'JF-2026-000123' }),
    identical: z.boolean().meta({ description: 'the replay gives the stored result exactly', example: true }),
    differences: z
      .array(ResultDifferenceSchema)
      .meta({ description: 'every difference between the stored and the replayed result', example: [] }),
    rulesetId: z.string().meta({
      description: '`<tableId>@<version>` (the same as `ruleset.key`)',
      example: 'yinzhou-points-2022@1',
    }),
    ruleset: RulesetKeySchema,
    status: z.enum(RECORD_STATUSES).meta({
      description: 'the record’s state: a void record still replays',
      example: 'valid',
      'x-enum-descriptions': { valid: '有效', void: '已作废' },
    }),
    replayed: PointsResultSchema.meta({
      description: 'the result computed again from the stored facts and table',
    }),
  })
  .meta({
    id: 'PointsReplay',
    example: {
      id: '0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3d',
      reference: 'JF-2026-000123',
      identical: true,
      differences: [],
      rulesetId: 'yinzhou-points-2022@1',
      ruleset: { id: 'yinzhou-points-2022', version: 1, key: 'yinzhou-points-2022@1' },
      status: 'valid',
      replayed: EXAMPLE_POINTS_RESULT,
    },
  })
export type Replay = z.output<typeof ReplaySchema>

export const AdviceChangeSchema = z
  .object({
    set: z.string().meta({
      description:
        'a dotted path into the applicant (`education`, `cityItems.bloodDonations`, `employment` …)',
      example: 'education',
    }),
    value: z.unknown().meta({ description: 'the value to put there', example: 'bachelor' }),
  })
  .meta({
    id: 'AdviceChange',
    description:
      'the advised change as facts: put `value` at `set` in the applicant and preview again to see the gain',
  })

export const AdviceSchema = z
  .object({
    item: z.string().meta({ description: 'the item whose points the change raises', example: 'education' }),
    label: z.string().meta({ description: 'the item’s name in Chinese', example: '学历' }),
    kind: z.enum(['education', 'skill', 'employment', 'housing', 'city', 'district', 'accrual']).meta({
      description:
        'what sort of change: a tier, a job run, housing, a city or district item, or a month of accrual',
      example: 'education',
    }),
    action: z.string().meta({
      description: 'the condition in words: what the applicant would have to do or have',
      example: '取得全日制本科学历',
    }),
    change: AdviceChangeSchema,
    fact: z
      .string()
      .nullable()
      .meta({ description: 'for counts and accrual: the fact that would grow', example: null }),
    factLabel: z
      .string()
      .nullable()
      .meta({ description: 'the fact’s name in Chinese; null with no fact', example: null }),
    more: z
      .number()
      .nullable()
      .meta({ description: 'how much more of the fact (1 month, 20 hours, one patent …)', example: null }),
    points: z.number().meta({ description: 'the item’s points now', example: 20 }),
    cap: z.number().nullable().meta({ description: 'the item’s cap; null when it has none', example: null }),
    gain: z.number().meta({
      description: 'what the change adds to the total, after item, group and layer caps: exactly',
      example: 10,
    }),
    ref: z.string().meta({ description: 'the legal reference of the item', example: 'nb-points-2022' }),
    provisional: z
      .boolean()
      .meta({ description: 'the value that gives the gain is provisional (P)', example: false }),
  })
  .meta({ id: 'Advice' })
export type Advice = z.output<typeof AdviceSchema>

export const ProjectionSchema = z
  .object({
    from: DateStringSchema.meta({ description: 'the as-of date' }),
    to: DateStringSchema.meta({ description: 'the last date: target.by, else 36 months on (a month-end)' }),
    points: z
      .array(
        z.object({
          date: DateStringSchema.meta({ description: 'the day', example: '2026-05-31' }),
          total: z.number().meta({ description: 'the points on that day', example: 97.5 }),
          eligible: z.boolean().meta({
            description: 'the score can be used then (gates pass: permit valid, not frozen …)',
            example: true,
          }),
        }),
      )
      .meta({
        description:
          'the score on the as-of date, each month-end after it, and `to`: an evaluation as of each date with the same facts (nothing is endorsed or added)',
      }),
    target: z
      .object({
        points: z.number().meta({ description: 'the total asked for', example: 120 }),
        by: DateStringSchema.nullable().meta({
          description: 'the day it is wanted by; null: the default window',
          example: '2027-06-30',
        }),
        reachedOn: DateStringSchema.nullable().meta({
          description:
            'the first day on or before `to` with a total of at least `points`; null when not reached',
        }),
        eligibleThen: z
          .boolean()
          .nullable()
          .meta({ description: 'whether the score can be used on reachedOn', example: true }),
        short: z
          .number()
          .nullable()
          .meta({ description: 'points − the best total of the window, when not reached', example: null }),
        never: z.boolean().meta({
          description:
            'not reached, and nothing that time moves raised any item over the last 12 months of the window: accrual alone will not reach it',
          example: false,
        }),
        reason: z.string().nullable().meta({ description: 'why it is not reached, in words', example: null }),
      })
      .nullable()
      .meta({
        description: 'how the target is met over the window; null when no target was asked',
        example: null,
      }),
  })
  .meta({ id: 'PointsProjection' })
export type ProjectionView = z.output<typeof ProjectionSchema>

export const PreviewRequestSchema = EvaluationRequestSchema.extend({
  target: z
    .object({
      points: z
        .number()
        .min(0)
        .max(1000)
        .meta({ description: 'the score to reach, e.g. last year’s cut-off', example: 109 }),
      by: DateStringSchema.optional().meta({
        description:
          'the date to look up to: after asOf, at most 120 months after it; default: the month-end 36 months after asOf',
      }),
    })
    .strict()
    .optional()
    .meta({
      description:
        'ask for a projection: the score on each month-end if only time passes, and when it reaches `points`',
    }),
})
  .strict()
  .meta({
    id: 'PreviewRequest',
    example: { ...EXAMPLE_POINTS_REQUEST, target: { points: 109 } },
  })
export type PreviewRequest = z.output<typeof PreviewRequestSchema>

export const PreviewSchema = z
  .object({
    result: PointsResultSchema.meta({ description: 'the points as they would be recorded' }),
    advice: z.array(AdviceSchema).meta({
      description: 'changes the applicant can act on, highest gain first, each with its exact gain',
    }),
    projection: ProjectionSchema.nullable().meta({ description: 'when `target` was given; null otherwise' }),
  })
  .meta({
    id: 'PointsPreview',
    example: {
      result: EXAMPLE_POINTS_RESULT,
      advice: [
        {
          item: 'education',
          label: '学历',
          kind: 'education',
          action: '学历提升至大学本科',
          change: { set: 'education', value: 'bachelor' },
          fact: null,
          factLabel: null,
          more: null,
          points: 8,
          cap: 10,
          gain: 2,
          ref: '甬政办发〔2022〕10号',
          provisional: false,
        },
        {
          item: 'residence',
          label: '居住时间',
          kind: 'accrual',
          action: '在浙江省内再居住满 1 个月',
          change: { set: 'residence.registeredSince', value: '2019-01-20' },
          fact: 'residence.months',
          factLabel: '居住满月数（逾期签注后重新起算）',
          more: 1,
          points: 21.5,
          cap: 30,
          gain: 0.25,
          ref: '甬政办发〔2022〕10号；国务院令第663号《居住证暂行条例》第十条（逾期签注后居住年限重新起算）',
          provisional: false,
        },
      ],
      projection: {
        from: '2026-04-30',
        to: '2029-04-30',
        points: [
          { date: '2026-04-30', total: 107.5, eligible: true },
          { date: '2026-05-31', total: 107.75, eligible: true },
        ],
        target: {
          points: 109,
          by: null,
          reachedOn: '2026-10-20',
          eligibleThen: true,
          short: null,
          never: false,
          reason: null,
        },
      },
    },
  })
export type Preview = z.output<typeof PreviewSchema>

/** JF-<year>-<sequence of at least 6 digits>, as printed for the applicant. */
export const REFERENCE_PATTERN = /^JF-\d{4}-\d{6,}$/

export const ReferenceParamsSchema = z.object({
  reference: z
    .string()
    .max(40)
    .regex(REFERENCE_PATTERN, 'a reference number looks like JF-2026-000123')
    .meta({
      description: 'the reference number printed for the applicant',
      example: 'JF-2026-000123',
    }),
})

export const VoidRequestSchema = z
  .object({
    reason: z.string().trim().min(1).max(500).meta({
      description:
        'why the record no longer stands (kept with it and shown on reads); at most 500 characters',
      example: '出生日期录入错误',
    }),
    correction: EvaluationRequestSchema.optional().meta({
      description:
        'the corrected request: scored and stored as a new record (with its own reference) that points to the voided one, in the same unit of work',
    }),
  })
  .strict()
  .meta({
    id: 'VoidRequest',
    example: { reason: '出生日期录入错误', correction: EXAMPLE_POINTS_REQUEST },
  })

export const VoidResultSchema = z
  .object({
    voided: PointsEvaluationSchema.meta({ description: 'the voided record, as reads now show it' }),
    correction: PointsEvaluationSchema.nullable().meta({
      description: 'the new record that corrects it; null when no correction was sent',
    }),
  })
  .meta({
    id: 'VoidResult',
    example: {
      voided: {
        id: '0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3d',
        reference: 'JF-2026-000123',
        createdAt: '2026-04-30T02:15:00.000Z',
        rulesetId: 'yinzhou-points-2022@1',
        ruleset: { id: 'yinzhou-points-2022', version: 1, key: 'yinzhou-points-2022@1' },
        idNumberMasked: null,
        status: 'void',
        void: {
          reason: '出生日期录入错误',
          at: '2026-05-02T01:30:00.000Z',
          by: 'yinzhou-counter-7',
          correctedBy: null,
        },
        corrects: null,
        result: EXAMPLE_POINTS_RESULT,
      },
      correction: null,
    },
  })
export type VoidResult = z.output<typeof VoidResultSchema>

export const VerifyQuerySchema = z
  .object({
    code: z.string().min(1).max(40).meta({
      description:
        'the verification code printed on the notice (`XXXXX-XXXXX`; case, spaces and dashes do not matter)',
      example: '7K3QD-M2XPA',
    }),
  })
  .strict()

export const VerificationSchema = z
  .object({
    reference: z
      .string()
      .meta({ description: 'the reference number asked about', example: 'JF-2026-000123' }),
    genuine: z.boolean().meta({
      description:
        'a record with this reference exists and the code is its own; false alike for an unknown reference and a wrong code, so that nothing else can be learnt',
      example: true,
    }),
    status: z
      .enum(RECORD_STATUSES)
      .nullable()
      .meta({
        description: 'for a genuine notice: `valid`, or `void` when the record was voided since; else null',
        example: 'valid',
        'x-enum-descriptions': { valid: '有效', void: '已作废' },
      }),
    total: z.number().nullable().meta({
      description:
        'for a genuine notice, the total on the record (compare it with the printed one); else null',
      example: 107.5,
    }),
  })
  .meta({
    id: 'Verification',
    description: 'whether a printed notice is genuine, and nothing else about the record',
    example: { reference: 'JF-2026-000123', genuine: true, status: 'valid', total: 107.5 },
  })
export type Verification = z.output<typeof VerificationSchema>

export const EvaluationIdParamsSchema = z.object({
  id: z.uuid().meta({
    description: 'the evaluation id returned at creation',
    example: '0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3d',
  }),
})

// ---------------------------------------------------------------- residence permit, settlement

/** The permit result with an example (abbreviated: the real one lists all 14 entitlements). */
export const PermitEligibilitySchema = PermitResultSchema.meta({
  id: 'PermitEligibility',
  example: {
    scheme: 'residence-permit',
    jurisdiction: '330212',
    asOf: '2026-04-30',
    eligible: true,
    gates: [
      {
        id: 'registered_six_months',
        label: '居住登记满 6 个月',
        passed: true,
        reason: '符合条件：居住登记满月数：86 个月（要求不少于 6 个月，符合）',
        ref: 'residence-permit-regulations-art2',
        provisional: false,
        at: '2026-04-30',
      },
    ],
    permit: { held: true, valid: true, validSince: '2019-03-01', lateEndorsements: 0 },
    entitlements: [
      {
        id: 'compulsory_education',
        label: '义务教育',
        kind: 'basic_service',
        granted: true,
        reason: '符合条件：居住证有效：是（要求为是，符合）',
        ref: 'residence-permit-regulations-art12',
        provisional: false,
      },
    ],
    provisional: false,
    provisionalRows: [],
    ruleset: {
      ...EXAMPLE_RULESET_REF,
      id: 'ningbo-residence-permit-2021',
      scheme: 'residence-permit',
      jurisdiction: '330200',
      validFrom: '2021-10-01',
      provisional: false,
    },
    references: {
      'residence-permit-regulations-art2': EXAMPLE_REFERENCES['residence-permit-regulations-art2'],
      'residence-permit-regulations-art12': EXAMPLE_REFERENCES['residence-permit-regulations-art12'],
    },
    factsSha256: EXAMPLE_POINTS_RESULT.factsSha256,
  },
})

/** The settlement result with an example (abbreviated: the real one lists every route of the period). */
export const SettlementEligibilitySchema = SettlementResultSchema.meta({
  id: 'SettlementEligibility',
  example: {
    scheme: 'settlement',
    jurisdiction: '330212',
    asOf: '2026-04-30',
    eligible: false,
    routes: [
      {
        id: 'investment_business',
        label: '投资创业落户（不设纳税、社保年限）',
        available: true,
        passed: false,
        reason:
          '不符合：在宁波持营业执照经营——计算日在宁波没有持营业执照经营：在宁波持营业执照经营（至计算日）：否（要求为是，不符合）',
        gates: [
          {
            id: 'business_active',
            label: '在宁波持营业执照经营',
            passed: false,
            reason:
              '计算日在宁波没有持营业执照经营：在宁波持营业执照经营（至计算日）：否（要求为是，不符合）',
            ref: 'ningbo-hukou-2020',
            provisional: false,
            at: '2026-04-30',
          },
        ],
        ref: 'ningbo-hukou-2020',
        provisional: false,
      },
    ],
    pointsSettlement: null,
    pointsSettlementReason:
      '计算日适用的落户政策（ningbo-settlement-2020 第 1 版）未设积分落户，只按上列落户渠道判断',
    provisional: false,
    provisionalRows: [],
    ruleset: {
      ...EXAMPLE_RULESET_REF,
      id: 'ningbo-settlement-2020',
      scheme: 'settlement',
      jurisdiction: '330200',
      validFrom: '2020-09-11',
      provisional: false,
    },
    references: { 'ningbo-hukou-2020': EXAMPLE_REFERENCES['ningbo-hukou-2020'] },
    factsSha256: EXAMPLE_POINTS_RESULT.factsSha256,
  },
})

// ---------------------------------------------------------------- rulesets

export const RULESET_STATUSES = ['draft', 'published', 'retired'] as const

export const RulesetSummarySchema = z
  .object({
    id: z.string().meta({
      description: '`<tableId>@<version>`, the same as `key` (kept for existing callers)',
      example: 'ningbo-points-2022@1',
    }),
    key: z.string().meta({
      description: '`<tableId>@<version>`: names this version in every route',
      example: 'ningbo-points-2022@1',
    }),
    tableId: z.string().meta({
      description: 'the table id, the same in every version (`ruleset.id` in results)',
      example: 'ningbo-points-2022',
    }),
    version: z.number().int().meta({ description: 'the version', example: 1 }),
    scheme: SchemeSchema.meta({ description: 'what the table decides', example: 'points' }),
    jurisdiction: JurisdictionSchema.meta({ description: 'where it applies (GB/T 2260)', example: '330200' }),
    title: z
      .string()
      .meta({ description: 'the table’s title in Chinese', example: '宁波市新居民积分（2022）' }),
    validFrom: DateStringSchema.meta({ description: 'first day in force', example: '2022-07-01' }),
    validTo: DateStringSchema.nullable().meta({
      description: 'last day in force; null: no end yet',
      example: null,
    }),
    status: z
      .enum(RULESET_STATUSES)
      .meta({ description: 'draft, published (may be in force) or retired', example: 'published' }),
    sha256: z.string().meta({
      description: 'SHA-256 of the canonical JSON of the resolved table',
      example: '9f2c4e1a7b3d5f60812a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d',
    }),
    ref: z.string().meta({
      description: 'the instrument the table implements, as text: title（document number）article',
      example: '宁波市新居民积分管理办法（甬政办发〔2022〕48号）附件1',
    }),
    provisional: z
      .boolean()
      .meta({ description: 'the table has provisional parts (values or dates)', example: false }),
    origin: z
      .enum(['shipped', 'api'])
      .meta({ description: 'shipped with the service, or written through the API', example: 'shipped' }),
    createdAt: z
      .string()
      .meta({ description: 'when it was stored (UTC)', example: '2026-01-01T00:00:00.000Z' }),
    publishedAt: z
      .string()
      .nullable()
      .meta({ description: 'when it was published; null for a draft', example: '2026-01-01T00:00:00.000Z' }),
    retiredAt: z
      .string()
      .nullable()
      .meta({ description: 'when it was retired; null while it is not', example: null }),
    retiredReason: z.string().nullable().meta({
      description: 'why an admin retired it (POST /v1/rulesets/{id}/retire); null while it is not',
      example: null,
    }),
  })
  .meta({ id: 'RulesetSummary' })
export type RulesetSummary = z.output<typeof RulesetSummarySchema>

const EXAMPLE_SUMMARY = {
  id: 'ningbo-points-2022@1',
  key: 'ningbo-points-2022@1',
  tableId: 'ningbo-points-2022',
  version: 1,
  scheme: 'points',
  jurisdiction: '330200',
  title: '宁波市流动人口量化积分（省级 + 市级项目）',
  validFrom: '2022-04-01',
  validTo: null,
  status: 'published',
  sha256: EXAMPLE_RULESET_REF.sha256,
  ref: '关于实施流动人口量化积分管理的通知（甬政办发〔2022〕10号）',
  provisional: true,
  origin: 'shipped',
  createdAt: '2026-04-01T00:00:00.000Z',
  publishedAt: '2026-04-01T00:00:00.000Z',
  retiredAt: null,
  retiredReason: null,
} as const

export const RulesetListSchema = z
  .object({ rulesets: z.array(RulesetSummarySchema).meta({ description: 'the tables that match, by key' }) })
  .meta({ id: 'RulesetList', example: { rulesets: [EXAMPLE_SUMMARY] } })

export const RulesetListQuerySchema = z
  .object({
    scheme: SchemeSchema.optional().meta({ description: 'only tables of this scheme', example: 'points' }),
    jurisdiction: JurisdictionSchema.optional().meta({
      description: 'only tables of this jurisdiction',
      example: '330212',
    }),
    status: z
      .enum(RULESET_STATUSES)
      .optional()
      .meta({ description: 'only tables in this state (draft, published, retired)', example: 'published' }),
  })
  .strict()

export const LegalReferenceSchema = z
  .object({
    section: z.string().meta({
      description: 'items, layers, deductions, vetoes, gates, routes, entitlements …',
      example: 'items',
    }),
    id: z.string().meta({ description: 'the row’s id', example: 'education' }),
    label: z.string().meta({ description: 'the row’s name in Chinese', example: '学历' }),
    ref: RefSchema,
    citation: z.string().meta({
      description: 'the references as text: title（document number）article, joined by ；',
      example: '宁波市新居民积分管理办法（甬政办发〔2022〕48号）附件1',
    }),
    references: z
      .array(
        ReferenceSchema.extend({
          key: z
            .string()
            .meta({ description: 'the reference’s key in the table', example: 'nb-points-2022' }),
        }),
      )
      .meta({ description: 'the references the row cites, resolved from the table’s `references`' }),
    provisional: z.boolean().meta({ description: 'the row’s value is provisional', example: false }),
  })
  .meta({ id: 'LegalReference' })

export const DistrictItemDefinitionSchema = z
  .object({
    id: z.string().meta({ description: 'the key in applicant.districtItems', example: 'local_honours' }),
    label: z.string().meta({ description: 'the item’s name in Chinese', example: '区级荣誉' }),
    type: z
      .enum(['number', 'boolean'])
      .meta({ description: 'number: a count or amount; boolean: true or false', example: 'number' }),
  })
  .meta({ id: 'DistrictItemDefinition' })

export const RulesetDetailSchema = z
  .object({
    ruleset: RulesetSummarySchema.meta({ description: 'the table’s identity, period and state' }),
    references: z.array(LegalReferenceSchema).meta({ description: 'every row with its legal reference' }),
    districtItems: z.array(DistrictItemDefinitionSchema).meta({
      description:
        'what callers send in applicant.districtItems while this table is in force (its own and those it inherits); any other key, or a value of another type, is a 400',
    }),
    table: TableSchema.meta({ description: 'the resolved table, as the engine uses it' }),
  })
  .meta({
    id: 'RulesetDetail',
    example: {
      ruleset: EXAMPLE_SUMMARY,
      references: [
        {
          section: 'items',
          id: 'employment',
          label: '就业',
          ref: 'ningbo-points-notice',
          citation: '关于实施流动人口量化积分管理的通知（甬政办发〔2022〕10号）',
          references: [{ key: 'ningbo-points-notice', ...EXAMPLE_REFERENCES['ningbo-points-notice'] }],
          provisional: false,
        },
      ],
      districtItems: [],
      table: {
        id: 'ningbo-points-2022',
        version: 1,
        scheme: 'points',
        jurisdiction: '330200',
        title: '宁波市流动人口量化积分（省级 + 市级项目）',
        validFrom: '2022-04-01',
        validTo: null,
        ref: 'ningbo-points-notice',
        references: { 'ningbo-points-notice': EXAMPLE_REFERENCES['ningbo-points-notice'] },
        provisional: true,
        extends: 'zhejiang-points-2022@1',
        components: [
          {
            id: 'zhejiang-points-2022',
            version: 1,
            sha256: '5d3f1a9c7e5b3d1f9a7c5e3b1d9f7a5c3e1b9d7f5a3c1e9b7d5f3a1c9e7b5d3f',
          },
        ],
        dates: {},
        layers: [{ id: 'city', label: '市级', cap: 150 }],
        items: [
          {
            id: 'employment',
            label: '就业',
            layer: 'city',
            kind: 'binary',
            ref: 'ningbo-points-notice',
            provisional: false,
            when: { fact: 'employment.ningbo.currentRunMonths', gte: 12 },
            points: 10,
            cap: 10,
          },
        ],
        deductions: [],
        vetoes: [],
        gates: [],
        routes: [],
        entitlements: [],
        priorityTiers: [],
        pointsSettlement: null,
        household: null,
        districtFacts: [],
      },
    },
  })

export const RulesetIdParamsSchema = z.object({
  id: z
    .string()
    .min(3)
    .max(100)
    .meta({ description: '`<tableId>@<version>`', example: 'ningbo-points-2022@1' }),
})

/** GET /v1/rulesets/{id}: a version's key, or a table id alone for its versions. */
export const RulesetReadParamsSchema = z.object({
  id: z.string().min(3).max(100).meta({
    description: '`<tableId>@<version>` for that version; the table id alone for the list of its versions',
    example: 'yinzhou-points-2022@1',
  }),
})

const EXAMPLE_VERSIONS = {
  id: 'ningbo-points-2022',
  today: '2026-05-15',
  inForce: { id: 'ningbo-points-2022', version: 1, key: 'ningbo-points-2022@1' },
  versions: [EXAMPLE_SUMMARY],
}

export const RulesetVersionsSchema = z
  .object({
    id: z.string().meta({ description: 'the table id', example: 'yinzhou-points-2022' }),
    today: DateStringSchema.meta({
      description: 'the date `inForce` refers to (China Standard Time)',
      example: '2026-05-15',
    }),
    inForce: RulesetKeySchema.nullable().meta({
      description:
        'the published version whose validity window covers today; null when none does (retired, expired or not yet valid)',
    }),
    versions: z.array(RulesetSummarySchema).meta({ description: 'every version, oldest first' }),
  })
  .meta({ id: 'RulesetVersions', example: EXAMPLE_VERSIONS })
export type RulesetVersions = z.output<typeof RulesetVersionsSchema>

/** What GET /v1/rulesets/{id} answers: a version for `<id>@<version>`, the versions for `<id>`. */
export const RulesetReadSchema = z.union([RulesetDetailSchema, RulesetVersionsSchema]).meta({
  id: 'RulesetRead',
  description: 'RulesetDetail for `<tableId>@<version>`; RulesetVersions for a table id alone',
  example: EXAMPLE_VERSIONS,
})

export const RulesetDiffParamsSchema = z.object({
  id: z
    .string()
    .min(3)
    .max(100)
    .meta({ description: 'the table to compare from, `id@version`', example: 'ningbo-points-2022@1' }),
  otherId: z
    .string()
    .min(3)
    .max(100)
    .meta({ description: 'the table to compare to, `id@version`', example: 'ningbo-points-2022@2' }),
})

export const FieldChangeSchema = z
  .object({
    path: z
      .string()
      .meta({ description: 'the field that differs, as a dotted path in the row', example: 'points' }),
    from: z
      .unknown()
      .optional()
      .meta({ description: 'the value in the first table; absent where the field is added', example: 20 }),
    to: z
      .unknown()
      .optional()
      .meta({ description: 'the value in the other table; absent where the field is removed', example: 30 }),
  })
  .meta({ id: 'FieldChange' })

export const RowChangeSchema = z
  .object({
    section: z
      .string()
      .meta({ description: '`table` for top-level fields, else items, layers, gates …', example: 'items' }),
    id: z
      .string()
      .nullable()
      .meta({ description: 'the row id; null for top-level fields', example: 'education' }),
    change: z
      .enum(['added', 'removed', 'changed'])
      .meta({ description: 'the row was added, removed or changed', example: 'changed' }),
    fields: z.array(FieldChangeSchema).meta({ description: 'for `changed`: each field that differs' }),
  })
  .meta({ id: 'RowChange' })
export type RowChange = z.output<typeof RowChangeSchema>

export const RulesetDiffSchema = z
  .object({
    from: RulesetSummarySchema.meta({ description: 'the first table' }),
    to: RulesetSummarySchema.meta({ description: 'the other table' }),
    identical: z.boolean().meta({ description: 'the two resolved tables are the same', example: false }),
    changes: z.array(RowChangeSchema).meta({ description: 'each row that differs' }),
  })
  .meta({
    id: 'RulesetDiff',
    example: {
      from: EXAMPLE_SUMMARY,
      to: {
        ...EXAMPLE_SUMMARY,
        id: 'ningbo-points-2022@2',
        version: 2,
        status: 'draft',
        origin: 'api',
        publishedAt: null,
      },
      identical: false,
      changes: [
        {
          section: 'items',
          id: 'blood_donation',
          change: 'changed',
          fields: [{ path: 'terms[0].points', from: 2, to: 3 }],
        },
      ],
    },
  })

export const CreateRulesetRequestSchema = z
  .object({
    table: TableSourceSchema.meta({
      description:
        'a complete table; one that `extends` a published table version (`id@n`) with a `patch`; or one that `supersedes` an earlier version of itself with a `patch`',
    }),
  })
  .strict()
  .meta({
    id: 'CreateRulesetRequest',
    example: {
      table: {
        id: 'ningbo-points-2022',
        version: 2,
        scheme: 'points',
        jurisdiction: '330200',
        title: '宁波市流动人口量化积分（更正无偿献血分值）',
        validFrom: '2026-06-01',
        ref: 'ningbo-points-notice',
        supersedes: 'ningbo-points-2022@1',
        patch: {
          reweight: [{ id: 'blood_donation', terms: [{ fact: 'city.bloodDonations', points: 3 }] }],
        },
      },
    },
  })

export const RetireRequestSchema = z
  .object({
    reason: z.string().trim().min(3).max(500).meta({
      description: 'why the table is withdrawn, kept with it for ever (shown on the ruleset and in appeals)',
      example: '表格第 3 行分值录入错误，已发布第 2 版更正',
    }),
  })
  .strict()
  .meta({ id: 'RetireRequest', example: { reason: '表格第 3 行分值录入错误，已发布第 2 版更正' } })

export const RulesetWriteResultSchema = z
  .object({
    ruleset: RulesetSummarySchema.meta({ description: 'the table as stored now' }),
    warnings: z.array(FieldErrorSchema).meta({
      description: 'problems that do not stop publication, e.g. a layer cap its items cannot reach',
    }),
    successors: z
      .array(z.string())
      .optional()
      .meta({
        description:
          'publishing a correction (`supersedes`): the next versions of the tables built on the version it corrects, published with it',
        example: ['beilun-points-2022@2', 'cixi-points-2022@2'],
      }),
  })
  .meta({
    id: 'RulesetWriteResult',
    example: {
      ruleset: { ...EXAMPLE_SUMMARY, status: 'draft', origin: 'api', publishedAt: null },
      warnings: [],
    },
  })

// ---------------------------------------------------------------- health

export const HealthSchema = z
  .object({ status: z.literal('ok').meta({ description: 'the process is up' }) })
  .meta({ id: 'Health', example: { status: 'ok' } })
export const ReadySchema = z
  .object({
    status: z
      .enum(['ready', 'not_ready'])
      .meta({ description: 'ready when every check passes', example: 'ready' }),
    checks: z
      .object({
        migrations: z.boolean().meta({ description: 'the database schema is up to date', example: true }),
        tables: z
          .boolean()
          .meta({ description: 'the tables in force loaded and match their hashes', example: true }),
        database: z.boolean().meta({ description: 'the database answers', example: true }),
      })
      .meta({ description: 'each readiness check' }),
    publishedRulesets: z.number().int().meta({ description: 'published tables loaded', example: 31 }),
    tablesWithheld: z
      .array(
        z.object({
          id: z
            .string()
            .meta({ description: 'the ruleset, `tableId@version`', example: 'yinzhou-points-2022@1' }),
          reason: z
            .string()
            .meta({ description: 'why it is withheld', example: 'content does not match its hash' }),
        }),
      )
      .meta({
        example: [],
        description:
          'published tables whose stored content no longer matches their hash when loaded: never used (an evaluation they would serve fails with JIFEN_ERR_TABLE_WITHHELD), and the instance is not ready until they are restored',
      }),
  })
  .meta({
    id: 'Ready',
    example: {
      status: 'ready',
      checks: { migrations: true, tables: true, database: true },
      publishedRulesets: 13,
      tablesWithheld: [],
    },
  })

// ---------------------------------------------------------------- security: idempotency, lookups by ID, audit log

export const IdempotencyHeadersSchema = z
  .object({
    'idempotency-key': z
      .string()
      .min(1)
      .max(255)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
      .optional()
      .meta({
        description:
          'Makes a retry safe: the same key with the same request returns the original response (same status, same id); with a different request, 409. Scoped to the API key; a UUID per logical request is a good choice.',
        example: '5f1d7c2a-3b4e-4c6d-8e9f-0a1b2c3d4e5f',
      }),
  })
  // the other headers (authorization, content-type …) pass through untouched
  .loose()

/** The GB 11643 standard's own example number: valid checksum, no real person behind it. */
const EXAMPLE_ID_NUMBER = '11010519491231002X'

const LookupIdNumberSchema = ApplicantSchema.shape.idNumber.unwrap().meta({
  description:
    'the full 18-character ID number; matched through its keyed hash, never stored or logged in full',
  example: EXAMPLE_ID_NUMBER,
})

export const EvaluationLookupQuerySchema = z
  .object({
    idNumber: LookupIdNumberSchema,
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(500)
      .default(100)
      .meta({ description: 'at most this many in one page', example: 100 }),
  })
  .strict()

/** The same lookup with the ID number in the body, where proxies and access logs do not record it. */
export const EvaluationSearchSchema = z
  .object({
    idNumber: LookupIdNumberSchema,
    limit: z
      .number()
      .int()
      .min(1)
      .max(500)
      .default(100)
      .meta({ description: 'at most this many in one page', example: 100 }),
  })
  .strict()
  .meta({ id: 'PointsEvaluationSearch', example: { idNumber: EXAMPLE_ID_NUMBER, limit: 100 } })

export const EvaluationListSchema = z
  .object({
    evaluations: z
      .array(PointsEvaluationSchema)
      .meta({ description: 'the person’s official records, newest first' }),
  })
  .meta({
    id: 'PointsEvaluationList',
    example: {
      evaluations: [
        {
          id: '0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3d',
          reference: 'JF-2026-000123',
          createdAt: '2026-04-30T02:15:00.000Z',
          rulesetId: 'yinzhou-points-2022@1',
          ruleset: { id: 'yinzhou-points-2022', version: 1, key: 'yinzhou-points-2022@1' },
          idNumberMasked: '110105***********X',
          status: 'valid',
          void: null,
          corrects: null,
          result: EXAMPLE_POINTS_RESULT,
        },
      ],
    },
  })

export const AuditQuerySchema = z
  .object({
    after: z.coerce.number().int().min(0).default(0).meta({
      description: 'return entries after this sequence number (the previous page’s `next`)',
      example: 0,
    }),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(100)
      .meta({ description: 'at most this many in one page', example: 100 }),
  })
  .strict()

export const AuditEntrySchema = z
  .object({
    seq: z.number().int().meta({ description: '1, 2, 3 … without gaps', example: 42 }),
    at: z
      .string()
      .meta({ description: 'when the action happened (ISO 8601, UTC)', example: '2026-04-30T02:15:00.000Z' }),
    keyName: z.string().meta({
      description: 'the API key that acted; `cli:<user>` for the operator’s CLI, `system` for the service',
      example: 'counter-7',
    }),
    action: z.string().meta({
      description:
        '`evaluation.created`, `ruleset.draft_created`, `ruleset.draft_replaced`, `ruleset.published`, `ruleset.seeded`, `api_key.created`, `api_key.revoked` …',
      example: 'evaluation.created',
    }),
    objectId: z
      .string()
      .meta({ description: 'the record, ruleset or key acted on', example: 'JF-2026-000123' }),
    objectHash: z.string().nullable().meta({
      description:
        'content hash of the object as the action left it (a record’s columns with its facts and result hashes, a table’s hash, a key’s scopes and state); null for entries written before entries carried one',
      example: '9f2c4e1a7b3d5f60812a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d',
    }),
    prevHash: z.string().meta({
      description: 'the previous entry’s hash (64 zeros for the first)',
      example: '5d0c3b7e1f9a2c4e6b8d0f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e',
    }),
    hash: z.string().meta({
      description:
        'keyed: HMAC-SHA256, under the operator’s audit key, of this entry’s canonical content, objectHash and prevHash; unkeyed (legacy): SHA-256 of the content and prevHash',
      example: '80c8161cd3f7a2e4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1',
    }),
    keyed: z.boolean().meta({
      description: 'false for entries written before the chain was keyed; `jifen audit verify` says how many',
      example: true,
    }),
  })
  .meta({ id: 'AuditEntry' })

export const AuditPageSchema = z
  .object({
    entries: z.array(AuditEntrySchema).meta({ description: 'the entries of this page, oldest first' }),
    next: z.number().int().nullable().meta({
      description: 'pass as `after` for the next page; null when this page reached the end',
      example: null,
    }),
  })
  .meta({
    id: 'AuditPage',
    example: {
      entries: [
        {
          seq: 42,
          at: '2026-04-30T02:15:00.000Z',
          keyName: 'yinzhou-counter-7',
          action: 'evaluation.created',
          objectId: '0b6f3c1e-6a7d-4f7e-9d1c-2a5b8e4f7c3d',
          objectHash: '5d3f1a9c7e5b3d1f9a7c5e3b1d9f7a5c3e1b9d7f5a3c1e9b7d5f3a1c9e9c1e5b',
          prevHash: '9c1e5b7d3f1a9c7e5b3d1f9a7c5e3b1d9f7a5c3e1b9d7f5a3c1e9b7d5f3a1c9e',
          hash: '3f5a0c1e9b7d4a2f8c6e1b0d9a7f5c3e1b9d7f5a3c1e9b7d5f3a1c9e7b5d3f1a',
          keyed: true,
        },
      ],
      next: 42,
    },
  })
