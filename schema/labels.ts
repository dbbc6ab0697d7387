// Chinese labels for every enum value of the request and result schemas: one map per enum, shared by reasons and the contract.
import { ERROR_CODES, type ErrorName, PROBLEM_TEXT } from './errors.ts'

/** One enum's labels: every value of the enum → its Chinese wording. */
export type EnumLabels = Readonly<Record<string, string>>

export const EDUCATION_LABELS = {
  none: '无学历',
  primary: '小学',
  junior: '初中',
  senior: '高中',
  vocational_secondary: '中专（中职）',
  junior_college: '大专',
  bachelor: '本科',
  master: '硕士研究生',
  doctorate: '博士研究生',
} as const satisfies EnumLabels

export const TITLE_GRADE_LABELS = {
  junior: '初级职称',
  intermediate: '中级职称',
  deputy_senior: '副高级职称',
  senior: '正高级职称',
} as const satisfies EnumLabels

export const SKILL_KIND_LABELS = {
  skill_level: '职业技能等级证书',
  title: '专业技术职称',
  special_ability: '专项职业能力证书',
} as const satisfies EnumLabels

/** Honours as the caller lists them (no `none`: an empty list says that). */
export const HONOUR_LEVEL_LABELS = {
  district: '区（县、市）级表彰',
  city: '市级表彰',
  provincial: '省级表彰',
  national: '国家级表彰',
} as const satisfies EnumLabels

/** The highest honour, as the fact `city.honour` holds it. */
export const HONOUR_LABELS = { none: '无表彰', ...HONOUR_LEVEL_LABELS } as const satisfies EnumLabels

export const ORGAN_DONATION_LABELS = {
  none: '无',
  registered: '已登记捐献意愿',
  donated: '已实施捐献',
} as const satisfies EnumLabels

export const HOUSING_KIND_LABELS = {
  none: '无住房',
  dormitory: '单位宿舍',
  public_rental: '公共租赁住房',
  registered_rental: '登记备案的租赁住房',
  owned: '自有产权住房',
} as const satisfies EnumLabels

export const HOUSING_OWNER_LABELS = { self: '本人', spouse: '配偶' } as const satisfies EnumLabels

export const EMPLOYMENT_KIND_LABELS = {
  labour_contract: '劳动合同就业',
  business_licence: '持营业执照经营',
  land_contract: '土地承包经营',
} as const satisfies EnumLabels

export const RECORD_KIND_LABELS = {
  dishonesty: '违法失信',
  crime: '违法犯罪',
  veto: '一票否决',
} as const satisfies EnumLabels

/** Records a deduction row may name (no `veto`: a veto is a gate, not a deduction). */
export const DEDUCTION_RECORD_LABELS = {
  dishonesty: RECORD_KIND_LABELS.dishonesty,
  crime: RECORD_KIND_LABELS.crime,
} as const satisfies EnumLabels

export const ENTRY_GRADE_LABELS = { P1: '小学一年级', J1: '初中一年级' } as const satisfies EnumLabels

export const TIE_BREAK_LABELS = {
  points: '积分',
  insuranceMonths: '社保缴费月数',
  residenceMonths: '居住月数',
  appliedAt: '申请时间',
  lottery: '摇号',
} as const satisfies EnumLabels

export const ROUND_STATUS_LABELS = {
  open: '接受申请中',
  closed: '申请已截止',
  allocated: '已分配',
  published: '已公布',
} as const satisfies EnumLabels

export const CUTOFF_SCOPE_LABELS = {
  school: '按学校划线',
  pool: '按学区（镇）统筹划线',
  quota: '按落户指标排序',
} as const satisfies EnumLabels

export const OUTCOME_LABELS = {
  placed: '已录取',
  gate_failed: '不符合入学条件',
  below_cutoff: '低于录取分数线',
  referred: '转统筹安排',
  quota_exhausted: '指标已满',
  no_preferences: '未填报有效志愿',
} as const satisfies EnumLabels

export const REFUSAL_LABELS = {
  below_cutoff: OUTCOME_LABELS.below_cutoff,
  no_seats: '学位已满',
} as const satisfies EnumLabels

export const IGNORED_PREFERENCE_LABELS = {
  unknown_unit: '学校不在本轮',
  duplicate: '重复填报',
} as const satisfies EnumLabels

export const APPLICATION_STATUS_LABELS = { active: '有效', withdrawn: '已撤回' } as const satisfies EnumLabels

export const RECORD_STATUS_LABELS = { valid: '有效', void: '已作废' } as const satisfies EnumLabels

export const SIMULATION_STATE_LABELS = {
  running: '计算中',
  completed: '已完成',
  failed: '失败',
} as const satisfies EnumLabels

export const SIMULATION_SOURCE_LABELS = {
  round: '招生轮次的申请',
  evaluations: '已存档的正式测评',
  upload: '上传的申请人名单',
} as const satisfies EnumLabels

export const PLACEMENT_CHANGE_LABELS = {
  placed_to_not: '由录取变为未录取',
  not_to_placed: '由未录取变为录取',
  school_changed: '录取学校改变',
} as const satisfies EnumLabels

export const ADVICE_KIND_LABELS = {
  education: '学历',
  skill: '技能或职称',
  employment: '就业',
  housing: '住房',
  city: '市级加分项',
  district: '区级加分项',
  accrual: '按月累积',
} as const satisfies EnumLabels

export const RULESET_STATUS_LABELS = {
  draft: '草稿',
  published: '已发布',
  retired: '已停用',
} as const satisfies EnumLabels

export const RULESET_ORIGIN_LABELS = {
  shipped: '随软件发布',
  api: '通过接口发布',
} as const satisfies EnumLabels

export const CHANGE_LABELS = { added: '新增', removed: '删除', changed: '修改' } as const satisfies EnumLabels

export const READINESS_LABELS = { ready: '就绪', not_ready: '未就绪' } as const satisfies EnumLabels

export const ENTITLEMENT_KIND_LABELS = {
  basic_service: '基本公共服务',
  convenience: '便利',
  conditional: '附条件的服务',
} as const satisfies EnumLabels

export const REFERENCE_STATUS_LABELS = {
  V: '已核对原文',
  P: '暂定（未找到原文或仅有第三方转载）',
} as const satisfies EnumLabels

export const ROUNDING_LABELS = { whole: '按整单位计分', prorated: '按比例计分' } as const satisfies EnumLabels

export const STEP_MODE_LABELS = { stacking: '累加', highest: '取最高' } as const satisfies EnumLabels

export const DISTRICT_FACT_TYPE_LABELS = { number: '数值', boolean: '是否' } as const satisfies EnumLabels

export const ITEM_KIND_LABELS = {
  per_unit: '按单位计分',
  bands: '分段计分',
  tiers: '分档取最高',
  binary: '符合即计分',
  category: '按类别计分',
} as const satisfies EnumLabels

export const HOUSEHOLD_AGGREGATE_LABELS = { max: '取家长中的最高分' } as const satisfies EnumLabels

export const LIVENESS_LABELS = { ok: '正常' } as const satisfies EnumLabels

export const SCHEME_LABELS = {
  points: '积分',
  'residence-permit': '居住证',
  settlement: '落户',
  admission: '入学',
} as const satisfies EnumLabels

/** Problem codes: the Chinese title each code's problem carries. */
export const ERROR_CODE_LABELS: EnumLabels = Object.fromEntries(
  ERROR_CODES.map((code) => [code, PROBLEM_TEXT[code.slice('JIFEN_ERR_'.length) as ErrorName].title]),
)

/** Every map, by name: the contract and the label test read them all. */
export const ENUM_LABELS: Readonly<Record<string, EnumLabels>> = {
  education: EDUCATION_LABELS,
  titleGrade: TITLE_GRADE_LABELS,
  skillKind: SKILL_KIND_LABELS,
  honourLevel: HONOUR_LEVEL_LABELS,
  honour: HONOUR_LABELS,
  organDonation: ORGAN_DONATION_LABELS,
  housingKind: HOUSING_KIND_LABELS,
  housingOwner: HOUSING_OWNER_LABELS,
  employmentKind: EMPLOYMENT_KIND_LABELS,
  recordKind: RECORD_KIND_LABELS,
  deductionRecord: DEDUCTION_RECORD_LABELS,
  entryGrade: ENTRY_GRADE_LABELS,
  tieBreak: TIE_BREAK_LABELS,
  roundStatus: ROUND_STATUS_LABELS,
  cutoffScope: CUTOFF_SCOPE_LABELS,
  outcome: OUTCOME_LABELS,
  refusal: REFUSAL_LABELS,
  ignoredPreference: IGNORED_PREFERENCE_LABELS,
  applicationStatus: APPLICATION_STATUS_LABELS,
  recordStatus: RECORD_STATUS_LABELS,
  adviceKind: ADVICE_KIND_LABELS,
  simulationState: SIMULATION_STATE_LABELS,
  simulationSource: SIMULATION_SOURCE_LABELS,
  placementChange: PLACEMENT_CHANGE_LABELS,
  rulesetStatus: RULESET_STATUS_LABELS,
  rulesetOrigin: RULESET_ORIGIN_LABELS,
  change: CHANGE_LABELS,
  readiness: READINESS_LABELS,
  entitlementKind: ENTITLEMENT_KIND_LABELS,
  referenceStatus: REFERENCE_STATUS_LABELS,
  rounding: ROUNDING_LABELS,
  stepMode: STEP_MODE_LABELS,
  districtFactType: DISTRICT_FACT_TYPE_LABELS,
  itemKind: ITEM_KIND_LABELS,
  householdAggregate: HOUSEHOLD_AGGREGATE_LABELS,
  liveness: LIVENESS_LABELS,
  scheme: SCHEME_LABELS,
  errorCode: ERROR_CODE_LABELS,
}

const setKey = (values: readonly unknown[]): string => JSON.stringify([...new Set(values.map(String))].sort())

const BY_VALUE_SET = new Map<string, EnumLabels>()
for (const labels of Object.values(ENUM_LABELS)) {
  const key = setKey(Object.keys(labels))
  // two enums of the same values must word them alike, or the contract could not tell which applies
  const seen = BY_VALUE_SET.get(key)
  if (seen !== undefined && JSON.stringify(seen) !== JSON.stringify(labels))
    throw new Error(`two label maps cover ${key} with different words`)
  BY_VALUE_SET.set(key, labels)
}

/**
 * The labels of an enum given by its values: the map whose values are exactly these, or, for an
 * enum that is a subset of one enum (a table's narrower list), that map. Undefined: no map covers it.
 */
export function labelsFor(values: readonly unknown[]): EnumLabels | undefined {
  const exact = BY_VALUE_SET.get(setKey(values))
  if (exact !== undefined) return exact
  const strings = values.map(String)
  const covering = Object.values(ENUM_LABELS).filter((m) => strings.every((v) => Object.hasOwn(m, v)))
  // a subset is only unambiguous when every covering map words these values alike
  if (covering.length === 0) return undefined
  const first = covering[0]
  return covering.every((m) => strings.every((v) => m[v] === first[v])) ? first : undefined
}
