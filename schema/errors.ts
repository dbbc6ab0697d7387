// Problem details (RFC 9457) and the catalogue of stable JIFEN_ERR_* codes every error response carries.
import { z } from 'zod'

/** At most this many field errors in one problem; the rest are counted in `errorsOmitted`. */
export const MAX_PROBLEM_ERRORS = 100
/** `detail` summarises in at most this many characters. */
export const MAX_PROBLEM_DETAIL = 500
/** A field error's path and message are cut to these lengths (a hostile key can be kilobytes long). */
export const MAX_FIELD_PATH = 200
export const MAX_FIELD_MESSAGE = 300

export const FieldErrorSchema = z
  .object({
    path: z.string().meta({
      description: `where the problem is: \`body.applicant.birthDate\`, \`params.id\`, \`body\` … (in a problem, at most ${MAX_FIELD_PATH} characters)`,
      example: 'body.applicant.birthDate',
    }),
    message: z.string().meta({
      description: `what is wrong there, in the language of the problem (in a problem, at most ${MAX_FIELD_MESSAGE} characters)`,
      example: '不是有效的日期',
    }),
  })
  .meta({ id: 'FieldError' })
export type FieldError = z.infer<typeof FieldErrorSchema>

/**
 * The catalogue. Codes and statuses are part of the contract: callers branch on `code`, so a code
 * is never reused for another meaning and is only ever sent with its own status.
 */
export const ERRORS = {
  VALIDATION: { status: 400, title: 'The request does not match the contract' },
  MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON' },
  MALFORMED_REQUEST: {
    status: 400,
    title: 'The HTTP request is malformed (its framing, Content-Length or encoding)',
  },
  UNAUTHORIZED: { status: 401, title: 'A valid API key is required (Authorization: Bearer …)' },
  FORBIDDEN: { status: 403, title: 'The API key lacks a scope this route requires' },
  NOT_FOUND: { status: 404, title: 'No such resource' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'The route exists, but not with this method (see Allow)' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request was not received in time' },
  RULESET_EXISTS: { status: 409, title: 'A ruleset with this id and version already exists' },
  RULESET_IMMUTABLE: { status: 409, title: 'A published or retired ruleset cannot be changed' },
  RULESET_OVERLAP: { status: 409, title: 'The validity window overlaps another published table' },
  RULESET_NOT_PUBLISHED: { status: 409, title: 'Only a published ruleset can be retired' },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    title: 'This Idempotency-Key was already used with a different request',
  },
  ROUND_STATE: {
    status: 409,
    title: 'The admission round is not in a state that allows this (open, closed, allocated, published)',
  },
  DUPLICATE_APPLICATION: {
    status: 409,
    title: 'The same child or applicationRef is already in the round (the refs are named)',
  },
  APPLICATION_LATE: { status: 409, title: 'The application window of the round is closed' },
  RECORD_VOID: { status: 409, title: 'The record is already void' },
  PRECONDITION_FAILED: { status: 412, title: 'A precondition header (If-Match …) does not hold' },
  BODY_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body must be application/json' },
  URI_TOO_LONG: { status: 414, title: 'A path parameter is too long' },
  RANGE_NOT_SATISFIABLE: { status: 416, title: 'The requested byte range is not satisfiable' },
  RATE_LIMITED: {
    status: 429,
    title: 'Too many requests from this address; retry after the Retry-After delay',
  },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  FUTURE_DATE: { status: 422, title: 'A date lies after today' },
  NO_TABLE_IN_FORCE: { status: 422, title: 'No table is in force for this jurisdiction on the as-of date' },
  TABLE_INVALID: { status: 422, title: 'The table does not compile' },
  EVALUATION: { status: 422, title: 'The request cannot be evaluated with this table' },
  SIMULATION_DRAFT: { status: 422, title: 'The draft cannot be simulated: it is not a points table' },
  SIMULATION_POPULATION: {
    status: 422,
    title: 'The simulation’s population is empty or larger than allowed',
  },
  INTERNAL: { status: 500, title: 'Internal error' },
  RECORD_CORRUPT: { status: 500, title: 'A stored record fails its integrity check' },
  TABLE_WITHHELD: {
    status: 503,
    title:
      'The table in force fails its integrity check (its content no longer matches its hash) and is withheld',
  },
  OVERLOADED: { status: 503, title: 'The service is under pressure; retry after the Retry-After delay' },
} as const satisfies Record<string, { status: number; title: string }>

export type ErrorName = keyof typeof ERRORS

/** The languages problems are written in (Accept-Language chooses; Chinese by default). */
export type ProblemLanguage = 'zh' | 'en'

/**
 * Each code's title in Chinese, and what the caller does about it in both languages: the problem's
 * `title` in Chinese, and the page at its `type` (/problems/{code}). Codes and field paths do not change
 * with the language.
 */
export const PROBLEM_TEXT: Record<ErrorName, { title: string; fixZh: string; fixEn: string }> = {
  VALIDATION: {
    title: '请求不符合接口约定',
    fixZh: '按 errors 中列出的字段路径逐项改正后重发。',
    fixEn: 'Correct each field listed in `errors` (by its path) and send again.',
  },
  MALFORMED_JSON: {
    title: '请求体不是有效的 JSON',
    fixZh: '检查请求体的 JSON 语法（引号、逗号、括号）。',
    fixEn: 'Check the body’s JSON syntax (quotes, commas, brackets).',
  },
  MALFORMED_REQUEST: {
    title: 'HTTP 请求格式错误（分帧、Content-Length 或编码）',
    fixZh: '检查客户端发送的 HTTP 报文。',
    fixEn: 'Check the HTTP message your client sends.',
  },
  UNAUTHORIZED: {
    title: '需要有效的 API 密钥（Authorization: Bearer …）',
    fixZh: '在 Authorization 头中以 Bearer 方式发送有效且未吊销的密钥。',
    fixEn: 'Send a valid, unrevoked key as `Authorization: Bearer …`.',
  },
  FORBIDDEN: {
    title: 'API 密钥缺少此接口所需的权限范围',
    fixZh: '使用具有所需权限范围的密钥，或请管理员签发。',
    fixEn: 'Use a key with one of the scopes the route needs, or ask an admin for one.',
  },
  NOT_FOUND: {
    title: '资源不存在',
    fixZh: '检查编号、参考号或积分表标识是否正确。',
    fixEn: 'Check the id, reference number or ruleset key.',
  },
  ROUTE_NOT_FOUND: {
    title: '接口不存在',
    fixZh: '对照 /openapi.json 检查路径。',
    fixEn: 'Check the path against /openapi.json.',
  },
  METHOD_NOT_ALLOWED: {
    title: '此接口不支持该 HTTP 方法（见 Allow 头）',
    fixZh: '改用 Allow 头列出的方法。',
    fixEn: 'Use a method listed in the Allow header.',
  },
  REQUEST_TIMEOUT: {
    title: '未能及时收到完整请求',
    fixZh: '检查网络后重发。',
    fixEn: 'Check the connection and send again.',
  },
  RULESET_EXISTS: {
    title: '该标识和版本的积分表已存在',
    fixZh: '提高 version 后再创建。',
    fixEn: 'Raise the version and create it again.',
  },
  RULESET_IMMUTABLE: {
    title: '已发布或已停用的积分表不能修改',
    fixZh: '以新版本号创建草稿。',
    fixEn: 'Create a draft with a new version.',
  },
  RULESET_OVERLAP: {
    title: '有效期与另一已发布积分表重叠',
    fixZh: '调整 validFrom/validTo，或先停用另一版本。',
    fixEn: 'Adjust validFrom/validTo, or retire the other version first.',
  },
  RULESET_NOT_PUBLISHED: {
    title: '只有已发布的积分表才能停用',
    fixZh: '检查积分表的状态。',
    fixEn: 'Check the ruleset’s status.',
  },
  IDEMPOTENCY_CONFLICT: {
    title: '此幂等键已用于另一个请求',
    fixZh: '新请求使用新的 Idempotency-Key。',
    fixEn: 'Use a new Idempotency-Key for a new request.',
  },
  ROUND_STATE: {
    title: '录取批次当前状态不允许此操作',
    fixZh: '查看批次状态（open、closed、allocated、published），按流程先关闭、分配或发布后再操作。',
    fixEn:
      'Read the round’s status (open, closed, allocated, published) and take the steps in order: close, allocate, publish.',
  },
  DUPLICATE_APPLICATION: {
    title: '同一儿童或同一申请编号已在本批次中',
    fixZh: '按 errors 中列出的两个 applicationRef 核对，删去重复的一条后重发（整批未保存）。',
    fixEn:
      'Check the two applicationRefs named in `errors`, drop the duplicate and send again (nothing was stored).',
  },
  APPLICATION_LATE: {
    title: '本批次的申请期已结束',
    fixZh: '申请期（opens 至 closes）之外不能再提交申请；如需补录，请新建批次。',
    fixEn:
      'Applications are taken only within the window (opens to closes); create a new round for late entries.',
  },
  TABLE_WITHHELD: {
    title: '适用的积分表与其存储的哈希不符，已停用',
    fixZh: '这是服务端的数据完整性问题：请联系运维人员恢复该积分表（/readyz 会列出）。',
    fixEn:
      'A data-integrity problem on the service side: the operator must restore the table (listed by /readyz).',
  },
  RECORD_VOID: {
    title: '该记录已作废',
    fixZh: '作废不可撤销；如需更正，请作废时附上 correction。',
    fixEn: 'A void is final; to correct a record, send `correction` with its void.',
  },
  PRECONDITION_FAILED: {
    title: '前提条件头（If-Match 等）不成立',
    fixZh: '重新读取资源后再发送。',
    fixEn: 'Read the resource again, then send.',
  },
  BODY_TOO_LARGE: {
    title: '请求体过大',
    fixZh: '缩小请求体，或分批发送。',
    fixEn: 'Send a smaller body, or split it.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    title: '请求体必须是 application/json',
    fixZh: '设置 Content-Type: application/json。',
    fixEn: 'Set `Content-Type: application/json`.',
  },
  URI_TOO_LONG: { title: '路径参数过长', fixZh: '检查路径中的编号。', fixEn: 'Check the ids in the path.' },
  RANGE_NOT_SATISFIABLE: {
    title: '请求的字节范围无法满足',
    fixZh: '去掉或修正 Range 头。',
    fixEn: 'Remove or correct the Range header.',
  },
  RATE_LIMITED: {
    title: '此地址请求过多；请在 Retry-After 之后重试',
    fixZh: '等待 Retry-After 秒后重试。',
    fixEn: 'Wait Retry-After seconds, then retry.',
  },
  HEADERS_TOO_LARGE: { title: '请求头过大', fixZh: '减少请求头的大小。', fixEn: 'Send smaller headers.' },
  FUTURE_DATE: {
    title: '日期晚于今天',
    fixZh: '改正 errors 中列出的日期；计算日和事实日期都不能晚于今天。',
    fixEn: 'Correct the dates listed in `errors`; neither asOf nor any fact may lie after today.',
  },
  NO_TABLE_IN_FORCE: {
    title: '该地区在计算日没有有效的积分表',
    fixZh: '检查 jurisdiction 和 asOf；错误信息列出了当日有积分表的地区。',
    fixEn: 'Check jurisdiction and asOf; the message lists the jurisdictions with a table on that date.',
  },
  TABLE_INVALID: {
    title: '积分表无法编译',
    fixZh: '按 errors 改正积分表。',
    fixEn: 'Correct the table as `errors` says.',
  },
  EVALUATION: {
    title: '无法用此积分表计算该请求',
    fixZh: '补充 errors 中指出的日期或事实。',
    fixEn: 'Supply the dates or facts `errors` names.',
  },
  SIMULATION_DRAFT: {
    title: '草案无法模拟：不是积分表',
    fixZh: '选择一个积分（points）方案的草案积分表。',
    fixEn: 'Choose a draft of the points scheme.',
  },
  SIMULATION_POPULATION: {
    title: '模拟人群为空或超过上限',
    fixZh: '检查轮次、日期范围或上传名单：至少 1 人，上传最多 10,000 人（更多请用 jifen simulate）。',
    fixEn:
      'Check the round, the date range or the uploaded list: at least 1 person, at most 10,000 uploaded (use jifen simulate for more).',
  },
  INTERNAL: {
    title: '内部错误',
    fixZh: '稍后重试；报告时请附上 requestId。',
    fixEn: 'Retry later; quote the requestId when reporting it.',
  },
  RECORD_CORRUPT: {
    title: '存储的记录未通过完整性校验',
    fixZh: '请联系运维人员并附上参考号。',
    fixEn: 'Contact the operators with the reference number.',
  },
  OVERLOADED: {
    title: '服务繁忙；请在 Retry-After 之后重试',
    fixZh: '等待 Retry-After 秒后重试。',
    fixEn: 'Wait Retry-After seconds, then retry.',
  },
}

/** The slug of a code in its problem type: VALIDATION → validation, NOT_FOUND → not-found. */
export function problemSlug(name: ErrorName): string {
  return name.toLowerCase().replaceAll('_', '-')
}
export const ERROR_CODES = Object.keys(ERRORS).map((k) => `JIFEN_ERR_${k}`) as `JIFEN_ERR_${ErrorName}`[]
export type ErrorCode = `JIFEN_ERR_${ErrorName}`

export const ProblemSchema = z
  .object({
    type: z.string().meta({
      description:
        'URI reference naming the problem type: `/problems/{code}`, a page of this service saying what it means and how to fix the request',
      example: '/problems/validation',
    }),
    title: z.string().meta({
      description: 'the code’s title, in Chinese or English by Accept-Language (Chinese by default)',
      example: '请求不符合接口约定',
    }),
    status: z.number().int().meta({ description: 'the HTTP status, always the one of `code`', example: 400 }),
    detail: z
      .string()
      .max(MAX_PROBLEM_DETAIL)
      .meta({
        description: `a summary in at most ${MAX_PROBLEM_DETAIL} characters, in the language of the title; \`errors\` has the fields`,
        example: 'body.applicant.birthDate：不是有效的日期',
      }),
    code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]).meta({
      description: 'the stable error code: branch on it (it never changes with the language)',
      example: 'JIFEN_ERR_VALIDATION',
    }),
    errors: z
      .array(FieldErrorSchema)
      .max(MAX_PROBLEM_ERRORS)
      .meta({
        description: `the fields at fault, at most ${MAX_PROBLEM_ERRORS} (the first ones found)`,
      }),
    errorsOmitted: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({
        description: `how many more field errors there were beyond the ${MAX_PROBLEM_ERRORS} listed`,
        example: 12,
      }),
    requestId: z.string().optional().meta({
      description: 'the request’s id in the service’s logs: quote it when reporting a problem',
      example: '7d1f0c52-3a9e-4b7e-9a61-0f2c8d4e5b13',
    }),
  })
  .meta({
    id: 'Problem',
    description: 'RFC 9457 problem details, with a stable code and the fields at fault; bounded in size',
    example: {
      type: '/problems/validation',
      title: 'The request does not match the contract',
      status: 400,
      detail: 'body.applicant.birthDate: not a calendar date',
      code: 'JIFEN_ERR_VALIDATION',
      errors: [{ path: 'body.applicant.birthDate', message: 'not a calendar date' }],
      requestId: 'req-1',
    },
  })
export type Problem = z.infer<typeof ProblemSchema>

/**
 * The problem type for a catalogue entry: stable, one per code, and a page the service serves itself
 * (RFC 9457 allows a relative reference; it resolves against the service's own address).
 */
export function problemType(name: ErrorName): string {
  return `/problems/${problemSlug(name)}`
}
