// The scoring-table format (YAML in scoring/tables, stored as JSON once published), validated here.
import { z } from 'zod'
import { MAX_DISTRICT_ITEMS } from './applicant.ts'
import { boundedRecord, DateStringSchema, JurisdictionSchema, RegionCodeSchema } from './common.ts'

/**
 * The table format's maxima (issue 11: every array and map has one), each many times what any shipped
 * table uses, so that a hostile draft is refused by a length check before any row is validated.
 */
export const TABLE_MAXIMA = {
  /** conditions under one all/any, and values in one `in` */
  conditions: 50,
  conditionValues: 200,
  /** keys in one row's `ref`, and references and named dates in a table */
  refKeys: 20,
  references: 200,
  dates: 32,
  /** rows of each section */
  layers: 20,
  items: 200,
  deductions: 50,
  vetoes: 50,
  gates: 100,
  routes: 50,
  entitlements: 200,
  priorityTiers: 50,
  /** as many as an applicant may send in districtItems */
  districtFacts: MAX_DISTRICT_ITEMS,
  entryGrades: 8,
  components: 20,
  provisionalFields: 40,
  provisionalReason: 300,
  /** within one item */
  terms: 20,
  steps: 50,
  bands: 100,
  tiers: 100,
  categories: 100,
  categoryValues: 200,
} as const
const M = TABLE_MAXIMA

/** Points are decimals with at most 4 places so that the engine can add them exactly (see scoring/exact.ts). */
export const PointsSchema = z
  .number()
  .min(0)
  .max(10_000)
  .refine((n) => Math.abs(Math.round(n * 10_000) / 10_000 - n) < 1e-12, {
    message: 'at most 4 decimal places',
  })

/** A value a fact is compared with: a number, a boolean, or an enum name of that fact (e.g. `bachelor`). */
const ConditionValueSchema = z.union([z.number(), z.boolean(), z.string()])

/** A condition on derived facts. Fact names are listed in scoring/facts.ts (FACT_CATALOGUE). */
export type Condition =
  | {
      fact: string
      gte?: z.infer<typeof ConditionValueSchema>
      gt?: z.infer<typeof ConditionValueSchema>
      lte?: z.infer<typeof ConditionValueSchema>
      lt?: z.infer<typeof ConditionValueSchema>
      eq?: z.infer<typeof ConditionValueSchema>
      ne?: z.infer<typeof ConditionValueSchema>
      in?: z.infer<typeof ConditionValueSchema>[]
      /** evaluate this fact as of a named date of the table instead of the as-of date */
      at?: string
    }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  /** household tables: true when some / every member (parent) satisfies the inner condition */
  | { anyMember: Condition }
  | { allMembers: Condition }

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z
      .object({
        fact: z
          .string()
          .min(1)
          .meta({ description: 'the fact compared, by its name', example: 'insuranceMonths' }),
        gte: ConditionValueSchema.optional().meta({ description: 'the fact is at least this', example: 6 }),
        gt: ConditionValueSchema.optional().meta({ description: 'the fact is more than this', example: 0 }),
        lte: ConditionValueSchema.optional().meta({ description: 'the fact is at most this', example: 45 }),
        lt: ConditionValueSchema.optional().meta({ description: 'the fact is less than this', example: 60 }),
        eq: ConditionValueSchema.optional().meta({ description: 'the fact equals this', example: true }),
        ne: ConditionValueSchema.optional().meta({
          description: 'the fact differs from this',
          example: 'none',
        }),
        in: z
          .array(ConditionValueSchema)
          .min(1)
          .max(M.conditionValues)
          .optional()
          .meta({
            description: `the fact is one of these; at most ${M.conditionValues}`,
            example: ['bachelor', 'master', 'doctorate'],
          }),
        at: z.string().optional().meta({
          description: 'evaluate the fact as of this named date of the table instead of the as-of date',
          example: 'registration',
        }),
      })
      .strict()
      .refine(
        (c) =>
          ['gte', 'gt', 'lte', 'lt', 'eq', 'ne', 'in'].some(
            (k) => (c as Record<string, unknown>)[k] !== undefined,
          ),
        { message: 'a fact condition needs one of gte, gt, lte, lt, eq, ne, in' },
      ),
    z
      .object({
        all: z
          .array(ConditionSchema)
          .min(1)
          .max(M.conditions)
          .meta({
            description: `every condition holds; at most ${M.conditions}`,
            example: [{ fact: 'insuranceMonths', gte: 6 }],
          }),
      })
      .strict(),
    z
      .object({
        any: z
          .array(ConditionSchema)
          .min(1)
          .max(M.conditions)
          .meta({
            description: `at least one condition holds; at most ${M.conditions}`,
            example: [{ fact: 'hasPermit', eq: true }],
          }),
      })
      .strict(),
    z
      .object({
        not: ConditionSchema,
      })
      .strict(),
    z
      .object({
        anyMember: ConditionSchema,
      })
      .strict(),
    z
      .object({
        allMembers: ConditionSchema,
      })
      .strict(),
  ]),
)

/** Text shipped to callers with a reference: it must not name internal files or working notes. */
const INTERNAL_NAME = /policy\.md|\bseeds?\b|\.(md|ya?ml|txt|ts)\b/i
const publicText = z
  .string()
  .min(1)
  .refine((s) => !INTERNAL_NAME.test(s), { message: 'names an internal file or working note' })

/** What a reference says when its document number was not found: never a guessed number. */
export const DOCUMENT_NUMBER_NOT_FOUND = 'document number not found'

/** A legal reference: one document (and article), once per table, cited by key from its rows. */
export const ReferenceSchema = z
  .object({
    title: publicText.meta({ description: 'the document’s title', example: '宁波市新居民积分管理办法' }),
    documentNumber: publicText.meta({
      description: `the document number (文号), or "${DOCUMENT_NUMBER_NOT_FOUND}"`,
      example: '甬政办发〔2022〕48号',
    }),
    article: publicText
      .optional()
      .meta({ description: 'the article or annex cited', example: '附件1 第二条' }),
    issuer: publicText
      .optional()
      .meta({ description: 'the issuing body, where known', example: '宁波市人民政府办公厅' }),
    date: z
      .string()
      .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'YYYY, YYYY-MM or YYYY-MM-DD')
      .optional()
      .meta({ description: 'when it was issued or took effect, as precisely as known', example: '2022-06' }),
    url: z.url().optional().meta({
      description: 'where the text is public',
      example: 'https://www.ningbo.gov.cn/art/2022/6/30/art_1229095999_1.html',
    }),
    status: z.enum(['V', 'P']).meta({
      description:
        'V: verified in the official text or a faithful copy; P: provisional (not found, or only a third-party copy)',
      example: 'V',
    }),
    note: publicText.optional().meta({
      description: 'what the reader should know about the source',
      example: '以官方网站公布文本为准',
    }),
  })
  .strict()
  .meta({ id: 'Reference' })
export type Reference = z.output<typeof ReferenceSchema>

export const ReferenceKeySchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'a reference key: kebab-case, defined in the table’s `references`')
/**
 * A row's legal basis: the key of one reference of the table, or several keys. Resolving a table checks
 * that each is a key of its `references` (scoring/references.ts); a table stored before references
 * were data holds free text here, which is why the shape alone is not stricter.
 */
export const RefSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(M.refKeys)]).meta({
  description: `key(s) into the table’s \`references\`; at most ${M.refKeys}`,
  example: 'nb-points-2022',
})

/**
 * A row marked provisional with the reason why (issue 9): the structured form of `provisional: true`,
 * which stays valid (every published table uses it and a published table never changes).
 */
export const ProvisionalRowSchema = z
  .object({
    reason: z
      .string()
      .min(1)
      .max(M.provisionalReason)
      .meta({
        description: `why the row is provisional, in Chinese; 1–${M.provisionalReason} characters`,
        example: '以正式发文为准',
      }),
  })
  .strict()
  .meta({ id: 'ProvisionalRow', description: 'the row is provisional, and why' })
export type ProvisionalRow = z.output<typeof ProvisionalRowSchema>

/** What every row a breakdown shows carries: its legal reference and whether its value is provisional. */
const rowBase = {
  id: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, 'ids are lower_snake_case')
    .meta({ description: 'the row’s id in the table (lower_snake_case)', example: 'education' }),
  label: z
    .string()
    .min(1)
    .meta({ description: 'the row’s name in Chinese, shown in results', example: '学历' }),
  ref: RefSchema,
  provisional: z
    .union([z.boolean(), ProvisionalRowSchema])
    .default(false)
    .meta({
      description:
        'the row’s value is not yet confirmed by a published text: true, or { reason } saying why (results carry the reason as provisionalReason)',
      example: { reason: '以正式发文为准' },
    }),
  note: z
    .string()
    .optional()
    .meta({ description: 'a remark for readers of the table', example: '按最高学历计分，不累加' }),
}

const itemBase = {
  ...rowBase,
  layer: z.string().min(1).meta({ description: 'the id of the layer the item counts in', example: 'city' }),
  cap: PointsSchema.optional().meta({ description: 'the most the item may score', example: 20 }),
  /** items sharing a group: only the highest-scoring one counts (highest-only across items) */
  highestOfGroup: z
    .string()
    .optional()
    .meta({ description: 'items sharing a group: only the highest-scoring one counts', example: 'skills' }),
  /** the item scores only when this holds (e.g. residence months count only for residence in Zhejiang) */
  when: ConditionSchema.optional(),
}

export const StepSchema = z
  .object({
    atLeast: z
      .number()
      .min(0)
      .meta({ description: 'the step applies from this value of the fact', example: 60 }),
    bonus: PointsSchema.meta({ description: 'points the step adds', example: 5 }),
    provisional: z
      .boolean()
      .default(false)
      .meta({ description: 'the step is not yet confirmed', example: false }),
  })
  .strict()

export const TermSchema = z
  .object({
    fact: z.string().min(1).meta({ description: 'the fact counted', example: 'insuranceMonths' }),
    points: PointsSchema.meta({ description: 'points for every `per` units of the fact', example: 1 }),
    per: z
      .number()
      .positive()
      .default(1)
      .meta({ description: 'units of the fact per block of points', example: 12 }),
  })
  .strict()

export const PerUnitItemSchema = z
  .object({
    ...itemBase,
    kind: z.literal('per_unit').meta({ description: 'points per unit of one or more facts' }),
    terms: z
      .array(TermSchema)
      .min(1)
      .max(M.terms)
      .meta({
        description: `the facts counted, each with its rate; at most ${M.terms}`,
        example: [{ fact: 'insuranceMonths', points: 1, per: 12 }],
      }),
    rounding: z.enum(['whole', 'prorated']).default('whole').meta({
      description: 'whole: only complete `per` blocks count; prorated: each unit counts points/per',
      example: 'whole',
    }),
    steps: z
      .object({
        mode: z.enum(['stacking', 'highest']).meta({
          description: 'stacking: every step reached adds; highest: only the highest reached',
          example: 'highest',
        }),
        fact: z.string().min(1).meta({ description: 'the fact the steps read', example: 'insuranceMonths' }),
        at: z
          .array(StepSchema)
          .min(1)
          .max(M.steps)
          .meta({
            description: `the steps, by value of the fact; at most ${M.steps}`,
            example: [{ atLeast: 60, bonus: 5, provisional: false }],
          }),
      })
      .strict()
      .optional()
      .meta({ description: 'bonuses at thresholds of a fact, on top of the terms' }),
  })
  .strict()

export const BandSchema = z
  .object({
    from: z.number().meta({ description: 'the band starts at this value of the fact', example: 18 }),
    to: z
      .number()
      .optional()
      .meta({ description: 'the band ends before this value; absent: no end', example: 35 }),
    points: PointsSchema.meta({ description: 'points at `from`', example: 30 }),
    perUnit: z
      .number()
      .min(-10_000)
      .max(10_000)
      .default(0)
      .meta({ description: 'change in points per unit above `from` (negative: reverse-linear)', example: 0 }),
    provisional: z
      .boolean()
      .default(false)
      .meta({ description: 'the band is not yet confirmed', example: false }),
    label: z.string().optional().meta({ description: 'the band’s name in results', example: '18—35 周岁' }),
  })
  .strict()

export const BandsItemSchema = z
  .object({
    ...itemBase,
    kind: z.literal('bands').meta({ description: 'points by the band a number falls in' }),
    fact: z.string().min(1).meta({ description: 'the fact banded', example: 'age' }),
    bands: z
      .array(BandSchema)
      .min(1)
      .max(M.bands)
      .meta({
        description: `the bands, in order; at most ${M.bands}`,
        example: [{ from: 18, to: 35, points: 30 }],
      }),
  })
  .strict()

export const TierSchema = z
  .object({
    label: z.string().min(1).meta({ description: 'the tier’s name in results', example: '高级工' }),
    when: ConditionSchema,
    points: PointsSchema.meta({ description: 'points of the tier', example: 20 }),
    provisional: z
      .boolean()
      .default(false)
      .meta({ description: 'the tier is not yet confirmed', example: false }),
  })
  .strict()

export const TiersItemSchema = z
  .object({
    ...itemBase,
    kind: z.literal('tiers').meta({ description: 'the first tier whose condition holds scores' }),
    tiers: z
      .array(TierSchema)
      .min(1)
      .max(M.tiers)
      .meta({
        description: `the tiers, best first; at most ${M.tiers}`,
        example: [{ label: '高级工', when: { fact: 'skillLevel', lte: 3 }, points: 20 }],
      }),
  })
  .strict()

export const BinaryItemSchema = z
  .object({
    ...itemBase,
    kind: z.literal('binary').meta({ description: 'all-or-nothing' }),
    when: ConditionSchema,
    points: PointsSchema.meta({ description: 'points when it holds', example: 10 }),
  })
  .meta({ description: 'all-or-nothing: `points` when `when` holds' })
  .strict()

export const CategorySchema = z
  .object({
    values: z
      .array(z.string())
      .min(1)
      .max(M.categoryValues)
      .meta({
        description: `the fact’s values in this category; at most ${M.categoryValues}`,
        example: ['bachelor'],
      }),
    points: PointsSchema.meta({ description: 'points of the category', example: 30 }),
    provisional: z
      .boolean()
      .default(false)
      .meta({ description: 'the category is not yet confirmed', example: false }),
    label: z.string().optional().meta({ description: 'the category’s name in results', example: '本科' }),
  })
  .strict()

export const CategoryItemSchema = z
  .object({
    ...itemBase,
    kind: z.literal('category').meta({ description: 'points by the category a value falls in' }),
    fact: z.string().min(1).meta({ description: 'the fact categorised', example: 'education' }),
    categories: z
      .array(CategorySchema)
      .min(1)
      .max(M.categories)
      .meta({
        description: `the categories; at most ${M.categories}`,
        example: [{ values: ['bachelor'], points: 30 }],
      }),
  })
  .strict()

export const ItemSchema = z.discriminatedUnion('kind', [
  PerUnitItemSchema,
  BandsItemSchema,
  TiersItemSchema,
  BinaryItemSchema,
  CategoryItemSchema,
])
export type Item = z.output<typeof ItemSchema>

export const LayerSchema = z
  .object({
    id: z.string().min(1).meta({ description: 'the layer’s id: city or district', example: 'district' }),
    label: z.string().min(1).meta({ description: 'the layer’s name in results', example: '鄞州区积分' }),
    cap: PointsSchema.meta({ description: 'the most the layer may add', example: 10 }),
    ref: RefSchema.optional(),
  })
  .strict()

export const DeductionSchema = z
  .object({
    ...rowBase,
    record: z
      .enum(['dishonesty', 'crime'])
      .meta({ description: 'the kind of record deducted for', example: 'dishonesty' }),
    points: PointsSchema.meta({ description: 'points deducted per record', example: 20 }),
    freezeMonths: z
      .number()
      .int()
      .min(0)
      .max(600)
      .default(0)
      .meta({ description: 'months the score is frozen after the record', example: 12 }),
  })
  .strict()

export const VetoSchema = z
  .object({
    ...rowBase,
    record: z
      .enum(['dishonesty', 'crime', 'veto'])
      .meta({ description: 'the kind of record that bars', example: 'crime' }),
  })
  .strict()

export const GateSchema = z
  .object({
    ...rowBase,
    when: ConditionSchema,
    /** shown when the gate fails; the engine adds the facts it compared */
    failReason: z.string().optional().meta({
      description: 'shown when the gate fails; the engine adds the facts it compared',
      example: '社保缴纳不满 6 个月',
    }),
  })
  .strict()
export type Gate = z.output<typeof GateSchema>

export const NamedDateSchema = z.union([
  z.object({ date: DateStringSchema.meta({ description: 'a fixed day', example: '2022-07-01' }) }).strict(),
  z
    .object({
      month: z.number().int().min(1).max(12).meta({ description: 'the month', example: 8 }),
      day: z.number().int().min(1).max(31).meta({ description: 'the day of the month', example: 31 }),
    })
    .strict()
    .meta({ description: 'that month and day in the as-of date’s year' }),
  z
    .object({
      context: z
        .string()
        .min(1)
        .meta({ description: 'the name the caller gives the date under (`dates`)', example: 'registration' }),
    })
    .strict()
    .meta({ description: 'a date the caller supplies by name' }),
])

export const RouteSchema = z
  .object({
    ...rowBase,
    gates: z
      .array(GateSchema)
      .max(M.gates)
      .default([])
      .meta({ description: `the route’s conditions; at most ${M.gates}` }),
    unavailable: z
      .string()
      .optional()
      .meta({ description: 'the route does not exist in this period; why', example: '该通道本年度暂停' }),
  })
  .strict()

export const EntitlementSchema = z
  .object({
    ...rowBase,
    kind: z.enum(['basic_service', 'convenience', 'conditional']).meta({
      description: 'a basic public service, a convenience, or one with conditions of its own',
      example: 'basic_service',
    }),
    when: ConditionSchema.optional(),
  })
  .strict()

export const PriorityTierSchema = z
  .object({
    ...rowBase,
    rank: z.number().int().min(1).meta({ description: 'the tier’s order: 1 is admitted first', example: 1 }),
    when: ConditionSchema,
  })
  .strict()

export const PointsSettlementSchema = z
  .object({
    ...rowBase,
    threshold: PointsSchema.meta({ description: 'the points needed to apply', example: 120 }),
    yearlyQuota: z
      .number()
      .int()
      .min(0)
      .meta({ description: 'places a year, filled by rank', example: 3000 }),
    pointsTable: z.string().optional().meta({
      description:
        'id of the points table whose scale the threshold is on; another table in force does not count',
      example: 'ningbo-points-2022',
    }),
    gates: z
      .array(GateSchema)
      .max(M.gates)
      .default([])
      .meta({ description: `the points route’s conditions; at most ${M.gates}` }),
  })
  .strict()

export const PatchSchema = z
  .object({
    add: z
      .array(ItemSchema)
      .max(M.items)
      .default([])
      .meta({ description: `items the base does not have; at most ${M.items}`, example: [] }),
    reweight: z
      .array(
        z
          .object({ id: z.string().meta({ description: 'the base item’s id', example: 'education' }) })
          .catchall(z.unknown()),
      )
      .max(M.items)
      .default([])
      .meta({ description: `fields that replace those of a base item with this id; at most ${M.items}` }),
    layers: z
      .array(LayerSchema)
      .max(M.layers)
      .default([])
      .meta({
        description: `layers added, or replacing the base’s layer of the same id; at most ${M.layers}`,
        example: [],
      }),
  })
  .strict()

/**
 * What is provisional about a table itself, apart from its rows (which carry their own flag): its
 * start or end date, or a named date. A provisional start or end date does not make each result
 * provisional (the result's values do not depend on it; `ruleset.provisionalFields` says it); a
 * provisional named date does, since conditions read it.
 */
export const ProvisionalTableSchema = z
  .object({
    reason: z.string().min(1).meta({ description: 'why', example: '实施日期以正式发文为准' }),
    fields: z
      .array(
        z.string().regex(/^(validFrom|validTo|dates\.[A-Za-z0-9_]+)$/, 'validFrom, validTo or dates.<name>'),
      )
      .min(1)
      .max(M.provisionalFields)
      .meta({
        description: `the provisional table-level fields; at most ${M.provisionalFields}`,
        example: ['validFrom'],
      }),
  })
  .strict()
  .meta({ id: 'ProvisionalTable' })

export const SCHEMES = ['points', 'residence-permit', 'settlement', 'admission'] as const
export const SchemeSchema = z.enum(SCHEMES)
export type Scheme = z.infer<typeof SchemeSchema>

/**
 * The policy values fact derivation reads, as data of the table (scoring/facts/parameters.ts): each
 * with its legal reference and whether it is provisional. A value a table leaves out is the one the
 * tables published before this block existed were computed with (EDITION_1_PARAMETERS), so that
 * their content, hashes and stored results stay exactly as they were.
 */
const parameterBase = {
  ref: RefSchema,
  provisional: z.boolean().default(false).meta({
    description: 'the value is not yet confirmed by a published text; results that read it are provisional',
    example: false,
  }),
  note: z
    .string()
    .optional()
    .meta({ description: 'a remark for readers of the table', example: '以当年招生政策为准' }),
}
export const ParametersSchema = z
  .object({
    p1AgeCutoff: z
      .object({
        month: z
          .number()
          .int()
          .min(1)
          .max(12)
          .meta({ description: 'the cut-off month (1–12) of the intake year', example: 8 }),
        day: z
          .number()
          .int()
          .min(1)
          .max(31)
          .meta({ description: 'the cut-off day of that month', example: 31 }),
        ...parameterBase,
      })
      .strict()
      .optional()
      .meta({
        description: 'P1 entry: the child is 6 by this month and day of the intake year, and not yet 7',
      }),
    urbanDistricts: z
      .object({
        regions: z
          .array(RegionCodeSchema)
          .min(1)
          .max(M.conditionValues)
          .meta({
            description: 'the region codes of the urban districts',
            example: ['330203', '330205', '330206', '330211', '330212', '330213'],
          }),
        ...parameterBase,
      })
      .strict()
      .optional()
      .meta({
        description: `the region codes of Ningbo’s urban area (市区): fact \`housing.inNingboUrban\`; at most ${M.conditionValues}`,
      }),
    yrdProvinces: z
      .object({
        prefixes: z
          .array(z.string().regex(/^\d{2}$/, 'a two-digit province prefix'))
          .min(1)
          .max(M.conditionValues)
          .meta({
            description:
              'the two-digit province prefixes of region codes (31 Shanghai, 32 Jiangsu, 33 Zhejiang, 34 Anhui)',
            example: ['31', '32', '33', '34'],
          }),
        ...parameterBase,
      })
      .strict()
      .optional()
      .meta({
        description: `province prefixes whose social insurance is Yangtze River Delta insurance: \`insurance.yrd.*\`; at most ${M.conditionValues}`,
      }),
  })
  .strict()
  .meta({ id: 'TableParameters' })
export type TableParameters = z.output<typeof ParametersSchema>

const tableFields = {
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{2,80}$/, 'table ids are kebab-case')
    .meta({
      description: 'the table’s id (kebab-case); `id@version` is its key',
      example: 'yinzhou-points-2022',
    }),
  version: z.number().int().min(1).meta({ description: 'the table’s version', example: 1 }),
  scheme: SchemeSchema.meta({ description: 'what the table decides', example: 'points' }),
  jurisdiction: JurisdictionSchema.meta({ description: 'where it applies (GB/T 2260)', example: '330212' }),
  title: z
    .string()
    .min(1)
    .meta({ description: 'the table’s title in Chinese', example: '鄞州区新居民积分（2022）' }),
  validFrom: DateStringSchema.meta({ description: 'first day in force', example: '2022-07-01' }),
  validTo: DateStringSchema.nullable()
    .default(null)
    .meta({ description: 'last day in force; null: no end yet', example: null }),
  ref: RefSchema,
  references: boundedRecord(ReferenceKeySchema, ReferenceSchema, M.references)
    .default({})
    .meta({
      description: `the legal references its rows cite, by key (a table built on another inherits its); at most ${M.references}`,
      example: {
        'nb-points-2022': {
          title: '宁波市新居民积分管理办法',
          documentNumber: '甬政办发〔2022〕48号',
          status: 'V',
        },
      },
    }),
  provisional: z.union([z.boolean(), ProvisionalTableSchema]).default(false).meta({
    description:
      'which table-level fields are provisional ({ reason, fields }); rows say their own. `true` (tables written before): the whole table',
    example: false,
  }),
  notes: z
    .string()
    .optional()
    .meta({ description: 'remarks for readers of the table', example: '区级加分项与市级合并计算' }),
  dates: boundedRecord(z.string(), NamedDateSchema, M.dates)
    .default({})
    .meta({
      description: 'dates the conditions name (`at`), by name',
      example: { registration: { month: 8, day: 31 } },
    }),
  // optional, not defaulted: a table without the block keeps the content (and hash) it was published with
  parameters: ParametersSchema.optional().meta({
    description: 'policy values fact derivation reads (P1 age cut-off, urban districts, YRD provinces)',
  }),
  layers: z
    .array(LayerSchema)
    .max(M.layers)
    .default([])
    .meta({ description: `the layers the items count in, each with its cap; at most ${M.layers}` }),
  items: z
    .array(ItemSchema)
    .max(M.items)
    .default([])
    .meta({ description: `the scored items; at most ${M.items}` }),
  deductions: z
    .array(DeductionSchema)
    .max(M.deductions)
    .default([])
    .meta({ description: `points taken off for records; at most ${M.deductions}`, example: [] }),
  vetoes: z
    .array(VetoSchema)
    .max(M.vetoes)
    .default([])
    .meta({ description: `records that bar the applicant; at most ${M.vetoes}`, example: [] }),
  gates: z
    .array(GateSchema)
    .max(M.gates)
    .default([])
    .meta({ description: `conditions for using the result; at most ${M.gates}` }),
  routes: z
    .array(RouteSchema)
    .max(M.routes)
    .default([])
    .meta({ description: `settlement tables: the routes; at most ${M.routes}`, example: [] }),
  entitlements: z
    .array(EntitlementSchema)
    .max(M.entitlements)
    .default([])
    .meta({ description: `permit tables: the services a holder has; at most ${M.entitlements}` }),
  priorityTiers: z
    .array(PriorityTierSchema)
    .max(M.priorityTiers)
    .default([])
    .meta({ description: `admission tables: the priority tiers, in order; at most ${M.priorityTiers}` }),
  pointsSettlement: PointsSettlementSchema.nullable()
    .default(null)
    .meta({ description: 'settlement tables: the points route; null when none' }),
  household: z
    .object({
      aggregate: z.literal('max').meta({ description: 'the household scores as its best parent' }),
      entryGrades: z
        .array(z.enum(['P1', 'J1']))
        .min(1)
        .max(M.entryGrades)
        .meta({
          description: `the grades admitted: P1 (小学一年级), J1 (初中一年级); at most ${M.entryGrades}`,
          example: ['P1'],
        }),
    })
    .strict()
    .nullable()
    .default(null)
    .meta({ description: 'admission tables: how a household is scored; null otherwise', example: null }),
  districtFacts: z
    .array(
      z.object({
        id: z
          .string()
          .regex(/^[a-z][a-z0-9_]{0,63}$/)
          .meta({ description: 'the id callers use in applicant.districtItems', example: 'local_honours' }),
        label: z.string().meta({ description: 'the item’s name in Chinese', example: '区级荣誉' }),
        type: z
          .enum(['number', 'boolean'])
          .meta({ description: 'a count (number) or yes-or-no (boolean)', example: 'number' }),
      }),
    )
    .max(M.districtFacts)
    .default([])
    .meta({
      description: `facts callers send in applicant.districtItems for this table; at most ${M.districtFacts}`,
    }),
}

/**
 * One version of a table, `id@version`. A base is always named with its version, so that publishing a
 * later version of the base never changes a table built on it (its content, hash or results).
 */
export const PinnedTableSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{2,80}@[1-9][0-9]{0,8}$/, 'a table and its version, e.g. `ningbo-points-2022@1`')
export function parsePinned(pinned: string): { id: string; version: number } {
  const at = pinned.lastIndexOf('@')
  return { id: pinned.slice(0, at), version: Number(pinned.slice(at + 1)) }
}

/** A table a resolved table was built from (its base, the base's base, the version it corrects), with its hash. */
export const ComponentSchema = z
  .object({
    id: z.string().meta({ description: 'the base table’s id', example: 'ningbo-points-2022' }),
    version: z.number().int().min(1).meta({ description: 'the base table’s version', example: 1 }),
    sha256: z.string().meta({
      description: 'SHA-256 of the canonical JSON of that resolved table',
      example: '9f2c4e1a7b3d5f60812a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d',
    }),
  })
  .strict()
  .meta({ id: 'TableComponent' })
export type Component = z.output<typeof ComponentSchema>

/**
 * A table as written in YAML: complete; or `extends` a pinned base with a patch (a district over its
 * city); or `supersedes` an earlier version of itself with a patch (a correction: the earlier version
 * as it was, plus the patch).
 */
export const TableSourceSchema = z
  .object({
    ...tableFields,
    extends: PinnedTableSchema.optional().meta({
      description: 'the table and version this one patches',
      example: 'ningbo-points-2022@1',
    }),
    supersedes: PinnedTableSchema.optional().meta({
      description: 'an earlier version of this table that this one corrects with `patch`',
      example: 'yinzhou-points-2022@1',
    }),
    patch: PatchSchema.optional().meta({
      description: 'with `extends` or `supersedes`: what this table adds to or changes in the base',
      example: { add: [], reweight: [{ id: 'education', cap: 30 }], layers: [] },
    }),
  })
  .strict()
  .refine((t) => t.validTo === null || t.validTo >= t.validFrom, {
    message: 'validTo before validFrom',
    path: ['validTo'],
  })
  .refine((t) => (t.patch === undefined) === (t.extends === undefined && t.supersedes === undefined), {
    message: '`patch` goes with `extends` or `supersedes`',
    path: ['patch'],
  })
  .refine((t) => t.extends === undefined || t.supersedes === undefined, {
    message: 'a table either extends a base or supersedes its own earlier version',
    path: ['supersedes'],
  })
  .refine(
    (t) =>
      t.supersedes === undefined ||
      (parsePinned(t.supersedes).id === t.id && parsePinned(t.supersedes).version < t.version),
    { message: 'supersedes an earlier version of the same table id', path: ['supersedes'] },
  )
export type TableSource = z.output<typeof TableSourceSchema>
export type TableSourceInput = z.input<typeof TableSourceSchema>

const {
  scheme: _scheme,
  layers,
  items,
  deductions,
  vetoes,
  entitlements,
  routes,
  pointsSettlement,
  priorityTiers,
  household,
  ...headerFields
} = tableFields

/** What every resolved table carries whatever its scheme: identity, period, reference, dates, gates. */
const tableHeader = {
  ...headerFields,
  extends: z.string().optional().meta({
    description: 'the base, `id@version` (tables stored before pinning: the id)',
    example: 'ningbo-points-2022@1',
  }),
  supersedes: z.string().optional().meta({
    description: 'the earlier version this one corrects, `id@version`',
    example: 'yinzhou-points-2022@1',
  }),
  components: z
    .array(ComponentSchema)
    .max(M.components)
    .optional()
    .meta({
      description: `every table this one was built from, the innermost base first, each with its hash; at most ${M.components}`,
    }),
}

/**
 * A section of another scheme: always empty. It stays in the parsed table (as [] or null) because a
 * table's content hash is over every section, so that tables published before the union keep their
 * hash; a table cannot fill it.
 */
const noRows = z
  .array(z.never())
  .max(0)
  .default([])
  .meta({ description: 'not a section of this scheme: always empty', example: [] })
const noSection = z.null().default(null).meta({ description: 'not a section of this scheme' })
const otherSections = {
  layers: noRows,
  items: noRows,
  deductions: noRows,
  vetoes: noRows,
  entitlements: noRows,
  routes: noRows,
  priorityTiers: noRows,
  pointsSettlement: noSection,
  household: noSection,
}

export const PointsTableSchema = z
  .object({
    ...tableHeader,
    ...otherSections,
    scheme: z.literal('points').meta({ description: 'a points table' }),
    layers,
    items,
    deductions,
    vetoes,
  })
  .strict()
  .meta({ id: 'PointsTable' })

export const PermitTableSchema = z
  .object({
    ...tableHeader,
    ...otherSections,
    scheme: z.literal('residence-permit').meta({ description: 'a residence-permit table' }),
    entitlements,
  })
  .strict()
  .meta({ id: 'PermitTable' })

export const SettlementTableSchema = z
  .object({
    ...tableHeader,
    ...otherSections,
    scheme: z.literal('settlement').meta({ description: 'a settlement table' }),
    routes,
    pointsSettlement,
  })
  .strict()
  .meta({ id: 'SettlementTable' })

export const AdmissionTableSchema = z
  .object({
    ...tableHeader,
    ...otherSections,
    scheme: z.literal('admission').meta({ description: 'an admission table' }),
    priorityTiers,
    household,
  })
  .strict()
  .meta({ id: 'AdmissionTable' })

/**
 * A resolved table: any patch applied. This is what is hashed, stored and compiled. Each scheme has
 * its own sections over the shared header (scoring/schemes/<scheme> reads them).
 */
export const TableSchema = z
  .discriminatedUnion('scheme', [
    PointsTableSchema,
    PermitTableSchema,
    SettlementTableSchema,
    AdmissionTableSchema,
  ])
  .meta({ id: 'Table' })
export type Table = z.output<typeof TableSchema>
