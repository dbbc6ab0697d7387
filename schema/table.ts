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
        fact: z.string().min(1),
        gte: ConditionValueSchema.optional(),
        gt: ConditionValueSchema.optional(),
        lte: ConditionValueSchema.optional(),
        lt: ConditionValueSchema.optional(),
        eq: ConditionValueSchema.optional(),
        ne: ConditionValueSchema.optional(),
        in: z
          .array(ConditionValueSchema)
          .min(1)
          .max(M.conditionValues)
          .optional()
          .meta({ description: `at most ${M.conditionValues} values` }),
        at: z.string().optional(),
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
          .meta({ description: `at most ${M.conditions} conditions` }),
      })
      .strict(),
    z
      .object({
        any: z
          .array(ConditionSchema)
          .min(1)
          .max(M.conditions)
          .meta({ description: `at most ${M.conditions} conditions` }),
      })
      .strict(),
    z.object({ not: ConditionSchema }).strict(),
    z.object({ anyMember: ConditionSchema }).strict(),
    z.object({ allMembers: ConditionSchema }).strict(),
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
    title: publicText,
    documentNumber: publicText.meta({
      description: `the document number (文号), or "${DOCUMENT_NUMBER_NOT_FOUND}"`,
    }),
    article: publicText.optional(),
    issuer: publicText.optional().meta({ description: 'the issuing body, where known' }),
    date: z
      .string()
      .regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'YYYY, YYYY-MM or YYYY-MM-DD')
      .optional()
      .meta({ description: 'when it was issued or took effect, as precisely as known' }),
    url: z.url().optional().meta({ description: 'where the text is public' }),
    status: z.enum(['V', 'P']).meta({
      description:
        'V: verified in the official text or a faithful copy; P: provisional (not found, or only a third-party copy)',
    }),
    note: publicText.optional(),
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
export const RefSchema = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1).max(M.refKeys)])
  .meta({ description: `key(s) into the table’s \`references\` (at most ${M.refKeys})` })

/** What every row a breakdown shows carries: its legal reference and whether its value is provisional. */
const rowBase = {
  id: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'ids are lower_snake_case'),
  label: z.string().min(1),
  ref: RefSchema,
  provisional: z.boolean().default(false),
  note: z.string().optional(),
}

const itemBase = {
  ...rowBase,
  layer: z.string().min(1),
  cap: PointsSchema.optional(),
  /** items sharing a group: only the highest-scoring one counts (highest-only across items) */
  highestOfGroup: z.string().optional(),
  /** the item scores only when this holds (e.g. residence months count only for residence in Zhejiang) */
  when: ConditionSchema.optional(),
}

export const StepSchema = z
  .object({ atLeast: z.number().min(0), bonus: PointsSchema, provisional: z.boolean().default(false) })
  .strict()

export const TermSchema = z
  .object({
    fact: z.string().min(1),
    points: PointsSchema.meta({ description: 'points for every `per` units of the fact' }),
    per: z.number().positive().default(1),
  })
  .strict()

export const PerUnitItemSchema = z
  .object({
    ...itemBase,
    kind: z.literal('per_unit'),
    terms: z
      .array(TermSchema)
      .min(1)
      .max(M.terms)
      .meta({ description: `at most ${M.terms} terms` }),
    rounding: z.enum(['whole', 'prorated']).default('whole').meta({
      description: 'whole: only complete `per` blocks count; prorated: each unit counts points/per',
    }),
    steps: z
      .object({
        mode: z.enum(['stacking', 'highest']),
        fact: z.string().min(1),
        at: z
          .array(StepSchema)
          .min(1)
          .max(M.steps)
          .meta({ description: `at most ${M.steps} steps` }),
      })
      .strict()
      .optional(),
  })
  .strict()

export const BandSchema = z
  .object({
    from: z.number(),
    to: z.number().optional(),
    points: PointsSchema.meta({ description: 'points at `from`' }),
    perUnit: z
      .number()
      .min(-10_000)
      .max(10_000)
      .default(0)
      .meta({ description: 'change in points per unit above `from` (negative: reverse-linear)' }),
    provisional: z.boolean().default(false),
    label: z.string().optional(),
  })
  .strict()

export const BandsItemSchema = z
  .object({
    ...itemBase,
    kind: z.literal('bands'),
    fact: z.string().min(1),
    bands: z
      .array(BandSchema)
      .min(1)
      .max(M.bands)
      .meta({ description: `at most ${M.bands} bands` }),
  })
  .strict()

export const TierSchema = z
  .object({
    label: z.string().min(1),
    when: ConditionSchema,
    points: PointsSchema,
    provisional: z.boolean().default(false),
  })
  .strict()

export const TiersItemSchema = z
  .object({
    ...itemBase,
    kind: z.literal('tiers'),
    tiers: z
      .array(TierSchema)
      .min(1)
      .max(M.tiers)
      .meta({ description: `at most ${M.tiers} tiers` }),
  })
  .strict()

export const BinaryItemSchema = z
  .object({ ...itemBase, kind: z.literal('binary'), when: ConditionSchema, points: PointsSchema })
  .meta({ description: 'all-or-nothing: `points` when `when` holds' })
  .strict()

export const CategorySchema = z
  .object({
    values: z
      .array(z.string())
      .min(1)
      .max(M.categoryValues)
      .meta({ description: `at most ${M.categoryValues} values` }),
    points: PointsSchema,
    provisional: z.boolean().default(false),
    label: z.string().optional(),
  })
  .strict()

export const CategoryItemSchema = z
  .object({
    ...itemBase,
    kind: z.literal('category'),
    fact: z.string().min(1),
    categories: z
      .array(CategorySchema)
      .min(1)
      .max(M.categories)
      .meta({ description: `at most ${M.categories} categories` }),
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
  .object({ id: z.string().min(1), label: z.string().min(1), cap: PointsSchema, ref: RefSchema.optional() })
  .strict()

export const DeductionSchema = z
  .object({
    ...rowBase,
    record: z.enum(['dishonesty', 'crime']),
    points: PointsSchema.meta({ description: 'points deducted per record' }),
    freezeMonths: z.number().int().min(0).max(600).default(0),
  })
  .strict()

export const VetoSchema = z.object({ ...rowBase, record: z.enum(['dishonesty', 'crime', 'veto']) }).strict()

export const GateSchema = z
  .object({
    ...rowBase,
    when: ConditionSchema,
    /** shown when the gate fails; the engine adds the facts it compared */
    failReason: z.string().optional(),
  })
  .strict()
export type Gate = z.output<typeof GateSchema>

export const NamedDateSchema = z.union([
  z.object({ date: DateStringSchema }).strict(),
  z
    .object({ month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31) })
    .strict()
    .meta({ description: 'that month and day in the as-of date’s year' }),
  z
    .object({ context: z.string().min(1) })
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
      .meta({ description: `at most ${M.gates} gates` }),
    unavailable: z.string().optional().meta({ description: 'the route does not exist in this period; why' }),
  })
  .strict()

export const EntitlementSchema = z
  .object({
    ...rowBase,
    kind: z.enum(['basic_service', 'convenience', 'conditional']),
    when: ConditionSchema.optional(),
  })
  .strict()

export const PriorityTierSchema = z
  .object({ ...rowBase, rank: z.number().int().min(1), when: ConditionSchema })
  .strict()

export const PointsSettlementSchema = z
  .object({
    ...rowBase,
    threshold: PointsSchema,
    yearlyQuota: z.number().int().min(0),
    pointsTable: z.string().optional().meta({
      description:
        'id of the points table whose scale the threshold is on; another table in force does not count',
    }),
    gates: z
      .array(GateSchema)
      .max(M.gates)
      .default([])
      .meta({ description: `at most ${M.gates} gates` }),
  })
  .strict()

export const PatchSchema = z
  .object({
    add: z
      .array(ItemSchema)
      .max(M.items)
      .default([])
      .meta({ description: `at most ${M.items} items` }),
    reweight: z
      .array(z.object({ id: z.string() }).catchall(z.unknown()))
      .max(M.items)
      .default([])
      .meta({ description: `fields that replace those of a base item with this id; at most ${M.items}` }),
    layers: z
      .array(LayerSchema)
      .max(M.layers)
      .default([])
      .meta({ description: `at most ${M.layers} layers` }),
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
    reason: z.string().min(1),
    fields: z
      .array(
        z.string().regex(/^(validFrom|validTo|dates\.[A-Za-z0-9_]+)$/, 'validFrom, validTo or dates.<name>'),
      )
      .min(1)
      .max(M.provisionalFields)
      .meta({ description: `at most ${M.provisionalFields} fields` }),
  })
  .strict()
  .meta({ id: 'ProvisionalTable' })

/**
 * The policy values fact derivation reads, as data of the table (scoring/facts/parameters.ts): each
 * with its legal reference and whether it is provisional. A value a table leaves out is the one the
 * tables published before this block existed were computed with (EDITION_1_PARAMETERS), so that
 * their content, hashes and stored results stay exactly as they were.
 */
const parameterBase = {
  ref: RefSchema,
  provisional: z.boolean().default(false),
  note: z.string().optional(),
}
export const ParametersSchema = z
  .object({
    p1AgeCutoff: z
      .object({
        month: z.number().int().min(1).max(12),
        day: z.number().int().min(1).max(31),
        ...parameterBase,
      })
      .strict()
      .optional()
      .meta({
        description: 'P1 entry: the child is 6 by this month and day of the intake year, and not yet 7',
      }),
    urbanDistricts: z
      .object({ regions: z.array(RegionCodeSchema).min(1).max(M.conditionValues), ...parameterBase })
      .strict()
      .optional()
      .meta({ description: 'the region codes of Ningbo’s urban area (市区): fact `housing.inNingboUrban`' }),
    yrdProvinces: z
      .object({
        prefixes: z
          .array(z.string().regex(/^\d{2}$/, 'a two-digit province prefix'))
          .min(1)
          .max(M.conditionValues),
        ...parameterBase,
      })
      .strict()
      .optional()
      .meta({
        description:
          'province prefixes whose social insurance is Yangtze River Delta insurance: `insurance.yrd.*`',
      }),
  })
  .strict()
  .meta({ id: 'TableParameters' })
export type TableParameters = z.output<typeof ParametersSchema>

export const SCHEMES = ['points', 'residence-permit', 'settlement', 'admission'] as const
export const SchemeSchema = z.enum(SCHEMES)
export type Scheme = z.infer<typeof SchemeSchema>

const tableFields = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{2,80}$/, 'table ids are kebab-case'),
  version: z.number().int().min(1),
  scheme: SchemeSchema,
  jurisdiction: JurisdictionSchema,
  title: z.string().min(1),
  validFrom: DateStringSchema,
  validTo: DateStringSchema.nullable().default(null),
  ref: RefSchema,
  references: boundedRecord(ReferenceKeySchema, ReferenceSchema, M.references)
    .default({})
    .meta({
      description: `the legal references its rows cite, by key (a table built on another inherits its); at most ${M.references}`,
    }),
  provisional: z.union([z.boolean(), ProvisionalTableSchema]).default(false).meta({
    description:
      'which table-level fields are provisional ({ reason, fields }); rows say their own. `true` (tables written before): the whole table',
  }),
  notes: z.string().optional(),
  dates: boundedRecord(z.string(), NamedDateSchema, M.dates)
    .default({})
    .meta({ description: `at most ${M.dates} named dates` }),
  // optional, not defaulted: a table without the block keeps the content (and hash) it was published with
  parameters: ParametersSchema.optional().meta({
    description: 'policy values fact derivation reads (P1 age cut-off, urban districts, YRD provinces)',
  }),
  layers: z
    .array(LayerSchema)
    .max(M.layers)
    .default([])
    .meta({ description: `at most ${M.layers} layers` }),
  items: z
    .array(ItemSchema)
    .max(M.items)
    .default([])
    .meta({ description: `at most ${M.items} items` }),
  deductions: z
    .array(DeductionSchema)
    .max(M.deductions)
    .default([])
    .meta({ description: `at most ${M.deductions} deductions` }),
  vetoes: z
    .array(VetoSchema)
    .max(M.vetoes)
    .default([])
    .meta({ description: `at most ${M.vetoes} vetoes` }),
  gates: z
    .array(GateSchema)
    .max(M.gates)
    .default([])
    .meta({ description: `at most ${M.gates} gates` }),
  routes: z
    .array(RouteSchema)
    .max(M.routes)
    .default([])
    .meta({ description: `at most ${M.routes} routes` }),
  entitlements: z
    .array(EntitlementSchema)
    .max(M.entitlements)
    .default([])
    .meta({ description: `at most ${M.entitlements} entitlements` }),
  priorityTiers: z
    .array(PriorityTierSchema)
    .max(M.priorityTiers)
    .default([])
    .meta({ description: `at most ${M.priorityTiers} priority tiers` }),
  pointsSettlement: PointsSettlementSchema.nullable().default(null),
  household: z
    .object({
      aggregate: z.literal('max'),
      entryGrades: z
        .array(z.enum(['P1', 'J1']))
        .min(1)
        .max(M.entryGrades)
        .meta({ description: `at most ${M.entryGrades} grades` }),
    })
    .strict()
    .nullable()
    .default(null),
  districtFacts: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
        label: z.string(),
        type: z.enum(['number', 'boolean']),
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
    id: z.string(),
    version: z.number().int().min(1),
    sha256: z.string().meta({ description: 'SHA-256 of the canonical JSON of that resolved table' }),
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
    extends: PinnedTableSchema.optional().meta({ description: 'the table and version this one patches' }),
    supersedes: PinnedTableSchema.optional().meta({
      description: 'an earlier version of this table that this one corrects with `patch`',
    }),
    patch: PatchSchema.optional(),
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
  extends: z
    .string()
    .optional()
    .meta({ description: 'the base, `id@version` (tables stored before pinning: the id)' }),
  supersedes: z
    .string()
    .optional()
    .meta({ description: 'the earlier version this one corrects, `id@version`' }),
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
const noRows = z.array(z.never()).max(0).default([]).meta({ description: 'not a section of this scheme' })
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
    scheme: z.literal('points'),
    layers,
    items,
    deductions,
    vetoes,
  })
  .strict()
  .meta({ id: 'PointsTable' })

export const PermitTableSchema = z
  .object({ ...tableHeader, ...otherSections, scheme: z.literal('residence-permit'), entitlements })
  .strict()
  .meta({ id: 'PermitTable' })

export const SettlementTableSchema = z
  .object({ ...tableHeader, ...otherSections, scheme: z.literal('settlement'), routes, pointsSettlement })
  .strict()
  .meta({ id: 'SettlementTable' })

export const AdmissionTableSchema = z
  .object({
    ...tableHeader,
    ...otherSections,
    scheme: z.literal('admission'),
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
