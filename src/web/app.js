// The applicant page's script: fills the form's text from the dictionaries, maps the form to a preview request, calls the service and shows the result.
// @ts-check
import { projectionChart } from './chart.js'
import { HTML_LANG, LANGS, serviceMessage, translate } from './i18n.js'
import {
  DISTRICT_CODES,
  EDUCATION_LEVELS,
  EMPLOYMENT_KINDS,
  emptyFields,
  fieldKeyOfPath,
  fieldsFromRequest,
  HOUSING_KINDS,
  HOUSING_OWNERS,
  ORGAN_DONATION,
  RECORD_KINDS,
  requestFromFields,
  SKILL_LEVELS,
  TITLE_GRADES,
} from './request.js'

/**
 * @typedef {import('./i18n.js').Lang} Lang
 * @typedef {import('./request.js').Fields} Fields
 * @typedef {import('./request.js').RowMap} RowMap
 * @typedef {import('./request.js').PreviewRequest} PreviewRequest
 * @typedef {import('./chart.js').Projection} Projection
 * @typedef {{ path: string, message: string }} FieldError
 * @typedef {{ status: number, code?: string, detail?: string, errors?: FieldError[] }} Problem
 * @typedef {{ id: string, label: string, layer: string, value: unknown, pointsBeforeCap: number,
 *   points: number, cap: number | null, ref: Ref, provisional: boolean, provisionalReason?: string,
 *   detail: string }} ItemResult
 * @typedef {string | string[]} Ref
 * @typedef {{ title: string, documentNumber: string, article?: string }} Reference
 * @typedef {{ id: string, label: string, passed: boolean, reason: string, ref: Ref, provisional: boolean,
 *   provisionalReason?: string }} GateResult
 * @typedef {{ id: string, label: string, recordDate: string, points: number, frozenUntil: string | null }} DeductionResult
 * @typedef {{ jurisdiction: string, asOf: string, total: number, eligible: boolean, frozenUntil: string | null,
 *   layers: { id: string, label: string, pointsBeforeCap: number, points: number, cap: number }[],
 *   items: ItemResult[], gates: GateResult[], deductions: DeductionResult[], provisional: boolean,
 *   provisionalRows: string[], ruleset: { id: string, version: number },
 *   references?: Record<string, Reference> }} PointsResult
 * @typedef {{ item: string, label: string, fact?: string | null, factLabel?: string | null,
 *   more?: number | null, points: number, cap: number | null, gain: number, kind?: string,
 *   action?: string, ref?: string, provisional?: boolean }} Advice
 * @typedef {{ result: PointsResult, advice: Advice[], projection?: Projection | null }} Preview
 * @typedef {{ ok: true, status: number, preview: Preview, request: PreviewRequest }
 *   | { ok: false, status: number, problem: Problem | null, request: PreviewRequest }} Outcome
 */

const PREVIEW_URL = '/v1/points/preview'
/** A file saved by this page is a few kilobytes; anything far larger is not one. */
const MAX_FILE_BYTES = 1024 * 1024
/** The lists whose rows the form repeats, with the field a new row's focus goes to. */
const FIRST_FIELD = { socialInsurance: 'from', employment: 'kind', records: 'kind', endorsements: 'date' }

/** @type {Lang} */
let lang = 'zh'
/** The last answer shown, kept to re-render it when the language changes. */
/** @type {{ preview: Preview } | null} */
let shown = null
/** @type {{ problem: Problem, rows: RowMap } | null} */
let shownProblem = null
/** Submissions in flight: only the latest one's answer is shown. */
let sequence = 0
/** Row ids stay unique for the page's life, whatever is removed. */
let rowCounter = 0

// ---------------------------------------------------------------- small DOM helpers

/**
 * The element a selector names; a page without it is a bug, so it throws rather than return null.
 * @param {string} selector
 * @param {ParentNode} [root]
 * @returns {HTMLElement}
 */
function $(selector, root = document) {
  const found = root.querySelector(selector)
  if (!(found instanceof HTMLElement)) throw new Error(`the page has no ${selector}`)
  return found
}

/** @param {string} key @param {Record<string, string | number>} [values] */
const t = (key, values) => translate(lang, key, values)

/** @param {string} key */
const has = (key) => translate(lang, key) !== key

/**
 * An element with text and attributes; text is always set as text, never parsed as markup.
 * @param {string} tag
 * @param {Record<string, string>} [attrs]
 * @param {(Node | string)[]} [children]
 */
function el(tag, attrs = {}, children = []) {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v)
  e.append(...children)
  return e
}

/** Text in Chinese from the service (labels, references, reasons): marked so, for screen readers in English mode. */
const zh = (/** @type {string} */ s) => el('span', { lang: 'zh-CN' }, [s])

/** A number as the service gave it: exact decimals, no rounding on the page. */
const num = (/** @type {number} */ n) => String(n)

// ---------------------------------------------------------------- texts and options

/** @type {Record<string, () => string[][]>} value and dictionary key of each option, by list */
const OPTIONS = {
  districts: () => [['', 'option.choose'], ...DISTRICT_CODES.map((c) => [c, `district.${c}`])],
  regions: () => [
    ['', 'option.choose'],
    ...DISTRICT_CODES.map((c) => [c, `district.${c}`]),
    ['other', 'option.other'],
  ],
  education: () => [['', 'option.choose'], ...EDUCATION_LEVELS.map((v) => [v, `education.${v}`])],
  skillLevels: () => [['', 'option.none'], ...SKILL_LEVELS.map((v) => [v, `skillLevel.${v}`])],
  titleGrades: () => [['', 'option.none'], ...TITLE_GRADES.map((v) => [v, `title.${v}`])],
  housingKinds: () => [['', 'option.choose'], ...HOUSING_KINDS.map((v) => [v, `housing.${v}`])],
  owners: () => [['', 'option.choose'], ...HOUSING_OWNERS.map((v) => [v, `owner.${v}`])],
  organDonation: () => ORGAN_DONATION.map((v) => [v, `organ.${v}`]),
  employmentKinds: () => EMPLOYMENT_KINDS.map((v) => [v, `employmentKind.${v}`]),
  recordKinds: () => RECORD_KINDS.map((v) => [v, `recordKind.${v}`]),
}

/** (Re)builds a select's options in the current language, keeping its value. @param {HTMLSelectElement} select */
function fillOptions(select) {
  const value = select.value
  const list = OPTIONS[select.dataset.options ?? '']
  if (!list) throw new Error(`no option list ${select.dataset.options}`)
  select.replaceChildren(...list().map(([v, key]) => el('option', { value: v }, [t(key)])))
  if (value !== '') setSelect(select, value)
}

/** Sets a select to a value it offers, else to its first option. @param {HTMLSelectElement} select @param {string} value */
function setSelect(select, value) {
  select.value = value
  if (select.value !== value || select.selectedIndex < 0) select.selectedIndex = 0
}

/** Puts every dictionary text under `root` in the current language. @param {ParentNode} root */
function applyTexts(root) {
  for (const e of root.querySelectorAll('[data-i18n]')) {
    e.textContent = t(/** @type {HTMLElement} */ (e).dataset.i18n ?? '')
  }
  for (const s of root.querySelectorAll('select[data-options]'))
    fillOptions(/** @type {HTMLSelectElement} */ (s))
}

/** @param {Lang} next */
export function setLanguage(next) {
  lang = next
  document.documentElement.lang = HTML_LANG[lang]
  document.title = t('page.docTitle')
  applyTexts(document)
  const toggle = $('#lang-toggle')
  const other = lang === 'zh' ? 'en' : 'zh'
  toggle.textContent = t('lang.toggle')
  toggle.setAttribute('lang', HTML_LANG[other])
  for (const list of Object.keys(FIRST_FIELD)) renumber(list)
  if (shown) renderPreview(shown.preview)
  if (shownProblem) showProblem(shownProblem.problem, shownProblem.rows)
}

// ---------------------------------------------------------------- region choice: a district, or a code typed in

/** @param {Element} wrapper a `.field[data-region]` */
function wireRegion(wrapper) {
  const select = /** @type {HTMLSelectElement} */ ($('select', wrapper))
  select.addEventListener('change', () => showOther(wrapper))
}

/** @param {Element} wrapper */
function showOther(wrapper) {
  const other = $('select', wrapper)
  const isOther = /** @type {HTMLSelectElement} */ (other).value === 'other'
  $('.region-other', wrapper).hidden = !isOther
  $('.region-other-label', wrapper).hidden = !isOther
}

/** The code a region widget holds. @param {HTMLSelectElement} select */
function readRegion(select) {
  if (select.value !== 'other') return select.value
  const wrapper = /** @type {Element} */ (select.closest('[data-region]'))
  return /** @type {HTMLInputElement} */ ($('.region-other', wrapper)).value.trim()
}

/** @param {HTMLSelectElement} select @param {string} code */
function writeRegion(select, code) {
  const wrapper = /** @type {Element} */ (select.closest('[data-region]'))
  const other = /** @type {HTMLInputElement} */ ($('.region-other', wrapper))
  const known = code === '' || DISTRICT_CODES.includes(code)
  select.value = known ? code : 'other'
  other.value = known ? '' : code
  showOther(wrapper)
}

// ---------------------------------------------------------------- repeated rows

/** @param {string} list */
const rowsOf = (list) => /** @type {HTMLElement[]} */ ([...$(`[data-list="${list}"]`).children])

/**
 * Adds a row to a list, with values if given; ids are fresh so that every label points at its field.
 * @param {string} list
 * @param {Record<string, string | boolean>} [values]
 * @returns {HTMLElement} the row
 */
function addRow(list, values = {}) {
  const template = /** @type {HTMLTemplateElement} */ ($(`#row-${list}`))
  const fragment = /** @type {DocumentFragment} */ (template.content.cloneNode(true))
  const row = /** @type {HTMLElement} */ (fragment.firstElementChild)
  const n = ++rowCounter
  for (const field of row.querySelectorAll('[data-field]')) {
    const name = /** @type {HTMLElement} */ (field).dataset.field ?? ''
    field.id = `${list}-${n}-${name}`
    const label = row.querySelector(`label[data-for="${name}"]`)
    if (label) /** @type {HTMLLabelElement} */ (label).htmlFor = field.id
  }
  applyTexts(row)
  for (const wrapper of row.querySelectorAll('[data-region]')) wireRegion(wrapper)
  for (const [name, v] of Object.entries(values)) {
    const field = row.querySelector(`[data-field="${name}"]`)
    if (field === null) continue
    if (field instanceof HTMLSelectElement && field.closest('[data-region]') && name === 'region') {
      writeRegion(field, String(v))
    } else if (field instanceof HTMLSelectElement) setSelect(field, String(v))
    else if (field instanceof HTMLInputElement && field.type === 'checkbox') field.checked = v === true
    else if (field instanceof HTMLInputElement) field.value = String(v)
  }
  $('.remove-row', row).addEventListener('click', () => removeRow(list, row))
  $(`[data-list="${list}"]`).append(row)
  renumber(list)
  return row
}

/** @param {string} list @param {HTMLElement} row */
function removeRow(list, row) {
  const rows = rowsOf(list)
  const next = rows[rows.indexOf(row) + 1] ?? null
  row.remove()
  renumber(list)
  // keyboard users keep their place: the next row, else the list's add button
  const focusTarget = next
    ? next.querySelector(`[data-field="${FIRST_FIELD[/** @type {keyof FIRST_FIELD} */ (list)]}"]`)
    : document.querySelector(`[data-add="${list}"]`)
  if (focusTarget instanceof HTMLElement) focusTarget.focus()
}

/** Row titles say which row they are ("社保第 2 段"), and so do their remove buttons. @param {string} list */
function renumber(list) {
  rowsOf(list).forEach((row, i) => {
    const title = t(`row.${list}`, { n: i + 1 })
    $('.row-legend', row).textContent = title
    const remove = $('.remove-row', row)
    remove.textContent = t('action.remove')
    remove.setAttribute('aria-label', t('action.removeRow', { row: title }))
  })
}

// ---------------------------------------------------------------- the form ↔ the fields of request.js

/** @param {string} id */
const input = (id) => /** @type {HTMLInputElement} */ ($(`#${id}`))
/** @param {string} id */
const select = (id) => /** @type {HTMLSelectElement} */ ($(`#${id}`))

/**
 * @param {HTMLElement} row
 * @param {string} name
 * @returns {string}
 */
function rowValue(row, name) {
  const field = /** @type {HTMLInputElement | HTMLSelectElement} */ ($(`[data-field="${name}"]`, row))
  if (name === 'region' && field instanceof HTMLSelectElement) return readRegion(field)
  return field.value
}

/** @param {HTMLElement} row @param {string} name */
const rowChecked = (row, name) => /** @type {HTMLInputElement} */ ($(`[data-field="${name}"]`, row)).checked

/** What the form holds now. @returns {Fields} */
export function readFields() {
  const f = emptyFields()
  f.jurisdiction = select('jurisdiction').value
  f.asOf = input('asOf').value
  f.birthDate = input('birthDate').value
  f.education = select('education').value
  f.skillLevel = select('skillLevel').value
  f.titleGrade = select('titleGrade').value
  f.specialAbility = input('specialAbility').checked
  f.socialInsurance = rowsOf('socialInsurance').map((r) => ({
    from: rowValue(r, 'from'),
    to: rowValue(r, 'to'),
    region: rowValue(r, 'region'),
    backPaid: rowChecked(r, 'backPaid'),
  }))
  f.residence = {
    registeredSince: input('registeredSince').value,
    region: readRegion(select('residenceRegion')),
    permitIssuedOn: input('permitIssuedOn').value,
  }
  f.endorsements = rowsOf('endorsements').map((r) => rowValue(r, 'date'))
  f.employment = rowsOf('employment').map((r) => ({
    kind: rowValue(r, 'kind'),
    from: rowValue(r, 'from'),
    to: rowValue(r, 'to'),
    region: rowValue(r, 'region'),
  }))
  f.housing = {
    kind: select('housingKind').value,
    region: readRegion(select('housingRegion')),
    owner: select('housingOwner').value,
  }
  f.city = {
    shortageOccupation: input('shortageOccupation').checked,
    yearlyTaxYuan: input('yearlyTaxYuan').value,
    insuredEmployeesHired: input('insuredEmployeesHired').value,
    inventionPatents: input('inventionPatents').value,
    utilityPatents: input('utilityPatents').value,
    honours: [...document.querySelectorAll('input[data-key="city.honours"]:checked')].map(
      (c) => /** @type {HTMLInputElement} */ (c).value,
    ),
    publicWelfareHours: input('publicWelfareHours').value,
    bloodDonations: input('bloodDonations').value,
    organDonation: select('organDonation').value,
  }
  f.records = rowsOf('records').map((r) => ({ kind: rowValue(r, 'kind'), date: rowValue(r, 'date') }))
  f.target = { points: input('targetPoints').value, by: input('targetBy').value }
  return f
}

/** Puts fields on the form, replacing what it held. @param {Fields} f */
export function writeFields(f) {
  setSelect(select('jurisdiction'), f.jurisdiction)
  input('asOf').value = f.asOf
  input('birthDate').value = f.birthDate
  setSelect(select('education'), f.education)
  setSelect(select('skillLevel'), f.skillLevel)
  setSelect(select('titleGrade'), f.titleGrade)
  input('specialAbility').checked = f.specialAbility
  /** @param {string} list @param {Record<string, string | boolean>[]} rows */
  const refill = (list, rows) => {
    $(`[data-list="${list}"]`).replaceChildren()
    for (const r of rows) addRow(list, r)
  }
  refill('socialInsurance', f.socialInsurance)
  input('registeredSince').value = f.residence.registeredSince
  writeRegion(select('residenceRegion'), f.residence.region)
  input('permitIssuedOn').value = f.residence.permitIssuedOn
  refill(
    'endorsements',
    f.endorsements.map((date) => ({ date })),
  )
  refill('employment', f.employment)
  setSelect(select('housingKind'), f.housing.kind)
  writeRegion(select('housingRegion'), f.housing.region)
  setSelect(select('housingOwner'), f.housing.owner)
  input('shortageOccupation').checked = f.city.shortageOccupation
  for (const k of /** @type {const} */ ([
    'yearlyTaxYuan',
    'insuredEmployeesHired',
    'inventionPatents',
    'utilityPatents',
    'publicWelfareHours',
    'bloodDonations',
  ])) {
    input(k).value = f.city[k]
  }
  for (const c of document.querySelectorAll('input[data-key="city.honours"]')) {
    const box = /** @type {HTMLInputElement} */ (c)
    box.checked = f.city.honours.includes(box.value)
  }
  setSelect(select('organDonation'), f.city.organDonation)
  refill('records', f.records)
  input('targetPoints').value = f.target.points
  input('targetBy').value = f.target.by
  showHousingParts()
}

/**
 * Fills the form from a preview request (a file saved by this page) or a bare applicant; what the
 * form cannot hold is listed in the answer and left out. The page's "load", and the browser test's
 * way of driving many applicants through the form.
 * @param {unknown} requestOrApplicant
 * @returns {string[]} the parts left out
 */
export function fillForm(requestOrApplicant) {
  const { fields, ignored } = fieldsFromRequest(requestOrApplicant)
  writeFields(fields)
  clearErrors()
  return ignored
}

/** The owner matters only for an owned home, the home's place only for a home. */
function showHousingParts() {
  const kind = select('housingKind').value
  $('#owner-field').hidden = kind !== 'owned'
  $('#housing-region-field').hidden = kind === '' || kind === 'none'
}

// ---------------------------------------------------------------- errors next to their fields

/** The control a form key names (see request.js fieldKeyOfPath). @param {string} key */
function locate(key) {
  const m = /^(socialInsurance|employment|records|endorsements)\.(\d+)\.(\w+)$/.exec(key)
  if (m) {
    const row = rowsOf(m[1])[Number(m[2])]
    return /** @type {HTMLElement | null} */ (row?.querySelector(`[data-field="${m[3]}"]`) ?? null)
  }
  return /** @type {HTMLElement | null} */ (document.querySelector(`[data-key="${key}"]`))
}

/** The words that name a control: its label, after its row's title. @param {HTMLElement} control */
function nameOf(control) {
  const fieldset = control.closest('.honours')
  if (fieldset) return $('legend', fieldset).textContent ?? ''
  const label = document.querySelector(`label[for="${control.id}"]`)?.textContent ?? ''
  const row = control.closest('.row')
  const title = row?.querySelector('.row-legend')?.textContent ?? ''
  return row && title !== label ? `${title} · ${label}` : label
}

/** @param {HTMLElement} control */
function errorSlot(control) {
  const wrapper = /** @type {HTMLElement} */ (control.closest('.field'))
  let slot = /** @type {HTMLElement | null} */ (wrapper.querySelector(':scope > .field-error'))
  if (slot === null) {
    slot = el('p', { class: 'field-error' })
    wrapper.append(slot)
  }
  slot.id = `${control.id}-error`
  return slot
}

/** @param {HTMLElement} control @param {string} message */
function markField(control, message) {
  const slot = errorSlot(control)
  slot.textContent = message
  slot.hidden = false
  const targets = [control]
  const other = control.closest('[data-region]')?.querySelector('.region-other')
  if (other && !(/** @type {HTMLElement} */ (other).hidden)) targets.push(/** @type {HTMLElement} */ (other))
  for (const c of targets) {
    c.setAttribute('aria-invalid', 'true')
    const ids = (c.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean)
    if (!ids.includes(slot.id)) c.setAttribute('aria-describedby', [...ids, slot.id].join(' '))
  }
}

function clearErrors() {
  shownProblem = null
  for (const slot of document.querySelectorAll('.field-error')) {
    const p = /** @type {HTMLElement} */ (slot)
    p.hidden = true
    p.textContent = ''
  }
  for (const c of document.querySelectorAll('[aria-invalid]')) {
    c.removeAttribute('aria-invalid')
    const ids = (c.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => !id.endsWith('-error'))
    if (ids.length > 0) c.setAttribute('aria-describedby', ids.join(' '))
    else c.removeAttribute('aria-describedby')
  }
  const summary = $('#error-summary')
  summary.hidden = true
  $('#error-list').replaceChildren()
}

/**
 * Shows a problem+json answer: each field error next to its field, and all of them in a summary at the
 * top of the form that links to each field.
 * @param {Problem} problem
 * @param {RowMap} rows
 */
function showProblem(problem, rows) {
  clearErrors()
  shownProblem = { problem, rows }
  const items = []
  /** @type {Set<HTMLElement>} */
  const marked = new Set()
  for (const e of problem.errors ?? []) {
    const key = fieldKeyOfPath(e.path, rows)
    const control = key === null ? null : locate(key)
    const message = serviceMessage(lang, e.message)
    // one message per field, the first: a blank date is both "not YYYY-MM-DD" and "not a calendar
    // date", and the second says nothing new
    if (control && marked.has(control)) continue
    if (control) {
      marked.add(control)
      markField(control, message)
      const link = el('a', { href: `#${control.id}` }, [`${nameOf(control)}：${message}`])
      link.addEventListener('click', (ev) => {
        ev.preventDefault()
        control.focus()
      })
      items.push(el('li', {}, [link]))
    } else items.push(el('li', {}, [message]))
  }
  if (items.length === 0) items.push(el('li', {}, [problem.detail ?? String(problem.status)]))
  $('#error-list').replaceChildren(...items)
  $('#error-summary').hidden = false
}

// ---------------------------------------------------------------- calling the service

/** @param {PreviewRequest} request */
async function post(request) {
  const res = await fetch(PREVIEW_URL, {
    method: 'POST',
    // English problems: the page translates zod's English messages itself (i18n.js), field by field;
    // the service's Chinese default (issue 15) would bypass those translations
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, application/problem+json',
      'accept-language': 'en',
    },
    body: JSON.stringify(request),
    // the page's own origin only, and no cookies: nothing about the applicant is kept anywhere
    credentials: 'omit',
    cache: 'no-store',
  })
  const type = res.headers.get('content-type') ?? ''
  const body = type.includes('json') ? await res.json() : null
  return { status: res.status, body, retryAfter: res.headers.get('retry-after') }
}

/**
 * Reads the form, asks the service for a preview and shows the answer: the result, or each field error
 * next to its field. The page's submit button, and the browser test's way of driving the page.
 * @returns {Promise<Outcome>}
 */
export async function submitForm() {
  const mine = ++sequence
  clearErrors()
  setStatus('status.calculating')
  const { request, rows } = requestFromFields(readFields())
  let answer
  try {
    answer = await post(request)
  } catch {
    if (mine === sequence) setStatus('status.network')
    return { ok: false, status: 0, problem: null, request }
  }
  if (mine !== sequence) return { ok: false, status: answer.status, problem: null, request }
  if (answer.status === 200 && answer.body) {
    const preview = /** @type {Preview} */ (answer.body)
    renderPreview(preview)
    setStatus('status.done', { total: num(preview.result.total) })
    $('#results-heading').focus()
    return { ok: true, status: 200, preview, request }
  }
  const problem = /** @type {Problem | null} */ (answer.body)
  if (answer.status === 429) {
    setStatus('status.rateLimited', { seconds: answer.retryAfter ?? '60' })
  } else if (problem && Array.isArray(problem.errors) && problem.errors.length > 0) {
    showProblem(problem, rows)
    setStatus('status.errors', { n: problem.errors.length })
    $('#error-summary').focus()
  } else {
    setStatus('status.failed', { detail: problem?.detail ?? `HTTP ${answer.status}` })
  }
  return { ok: false, status: answer.status, problem, request }
}

/** @param {string} key @param {Record<string, string | number>} [values] */
function setStatus(key, values) {
  $('#status').textContent = t(key, values)
}

// ---------------------------------------------------------------- the result

/** An item, layer, gate or fact label in the page's language: the service's own in Chinese. */
function apiLabel(/** @type {string} */ kind, /** @type {string} */ id, /** @type {string} */ label) {
  const key = `api.${kind}.${id}`
  return lang !== 'zh' && has(key) ? t(key) : zh(label)
}

/** @param {boolean} provisional */
function provisionalMark(provisional) {
  return provisional
    ? el('span', { class: 'badge-p' }, [
        el('abbr', { title: t('items.provisionalMark') }, ['P']),
        ` ${t('items.provisionalMark')}`,
      ])
    : el('span', { class: 'verified' }, [t('items.verified')])
}

/**
 * The table's reason for a provisional mark, in Chinese as the table gives it, under the badge (which
 * does not wrap); nothing when the row gives none.
 * @param {string} [reason]
 */
function provisionalReason(reason) {
  return reason ? [el('span', { class: 'sub provisional-reason', lang: 'zh-CN' }, [reason])] : []
}

/**
 * @param {Preview} preview
 */
function renderPreview(preview) {
  shown = { preview }
  const r = preview.result
  $('#results-empty').hidden = true
  $('#results-body').hidden = false
  $('#total').textContent = num(r.total)
  const district = has(`district.${r.jurisdiction}`) ? t(`district.${r.jurisdiction}`) : r.jurisdiction
  $('#result-meta').textContent = t('results.meta', {
    district,
    asOf: r.asOf,
    table: r.ruleset.id,
    version: r.ruleset.version,
  })

  const eligibility = $('#eligibility')
  eligibility.className = `eligibility ${r.eligible ? 'ok' : 'not-ok'}`
  if (r.eligible) eligibility.replaceChildren(t('results.eligible'))
  else {
    const failed = r.gates.filter((g) => !g.passed).map((g) => `${g.label}（${g.reason}）`)
    eligibility.replaceChildren(t('results.notEligible', { reasons: '' }), zh(failed.join('；')))
  }
  if (r.frozenUntil) eligibility.append(' ', t('results.frozenUntil', { date: r.frozenUntil }))

  const note = $('#provisional-note')
  note.hidden = !r.provisional
  if (r.provisional) {
    const labels = r.provisionalRows.map(
      (id) => r.items.find((i) => i.id === id)?.label ?? r.gates.find((g) => g.id === id)?.label ?? id,
    )
    note.replaceChildren(t('results.provisional', { rows: '' }), zh(labels.join('、')))
  }

  $('#layers').replaceChildren(
    ...r.layers.map((l) => {
      const fill = el('span', { class: 'fill' })
      fill.style.width = `${l.cap > 0 ? Math.min(100, (l.points / l.cap) * 100) : 0}%`
      const amount = t('layer.of', { points: num(l.points), cap: num(l.cap) })
      const before =
        l.pointsBeforeCap > l.points ? t('layer.beforeCap', { before: num(l.pointsBeforeCap) }) : ''
      return el('li', { 'data-layer': l.id }, [
        el('span', { class: 'layer-name' }, [apiLabel('layer', l.id, l.label)]),
        el('span', { class: 'bar', 'aria-hidden': 'true' }, [fill]),
        el('span', { class: 'layer-points' }, [amount + before]),
      ])
    }),
  )

  renderProjection(preview.projection ?? null)
  renderAdvice(preview.advice ?? [])

  $('#items tbody').replaceChildren(
    ...r.items.map((i) => {
      /** @type {(string | Node)[]} */
      const points = [num(i.points)]
      if (i.pointsBeforeCap > i.points) {
        points.push(el('span', { class: 'sub' }, [t('items.beforeCap', { before: num(i.pointsBeforeCap) })]))
      }
      return el('tr', { 'data-item': i.id, class: i.provisional ? 'provisional' : '' }, [
        el('th', { scope: 'row' }, [
          apiLabel('item', i.id, i.label),
          el('span', { class: 'sub detail', lang: 'zh-CN' }, [i.detail]),
        ]),
        el('td', { class: 'num points' }, points),
        el('td', { class: 'num cap' }, [i.cap === null ? t('items.noCap') : num(i.cap)]),
        el('td', { class: 'ref', lang: 'zh-CN' }, [cite(i.ref, r.references)]),
        el('td', { class: 'mark' }, [
          provisionalMark(i.provisional),
          ...(i.provisional ? provisionalReason(i.provisionalReason) : []),
        ]),
      ])
    }),
  )

  $('#gates').replaceChildren(
    ...r.gates.map((g) =>
      el('li', { 'data-gate': g.id, class: g.passed ? 'ok' : 'not-ok' }, [
        el('strong', {}, [apiLabel('gate', g.id, g.label)]),
        `：${t(g.passed ? 'gate.passed' : 'gate.failed')} `,
        el('span', { class: 'sub', lang: 'zh-CN' }, [`${g.reason}（${cite(g.ref, r.references)}）`]),
        ...(g.provisional ? [' ', provisionalMark(true), ...provisionalReason(g.provisionalReason)] : []),
      ]),
    ),
  )
  $('#deductions').replaceChildren(
    ...r.deductions.map((d) =>
      el('li', { 'data-deduction': d.id }, [
        t('deduction.line', { label: d.label, date: d.recordDate, points: num(d.points) }) +
          (d.frozenUntil ? t('deduction.frozen', { date: d.frozenUntil }) : ''),
      ]),
    ),
  )
}

/**
 * A row's legal basis as text: each reference key it cites, as the result's references name it
 * (document number, then article; the title when no number was found).
 * @param {Ref} ref
 * @param {Record<string, Reference> | undefined} references
 */
function cite(ref, references) {
  return (Array.isArray(ref) ? ref : [ref])
    .map((key) => {
      const r = references?.[key]
      if (!r) return key
      const doc = r.documentNumber === 'document number not found' ? r.title : r.documentNumber
      return `${doc}${r.article ? ` ${r.article}` : ''}`
    })
    .join('；')
}

/**
 * The advice list, highest gain first. An entry with `action` (the condition in words) shows it;
 * otherwise the line is built from the fact and how much more of it.
 * @param {Advice[]} advice
 */
function renderAdvice(advice) {
  const sorted = [...advice].sort((a, b) => b.gain - a.gain)
  $('#advice-empty').hidden = sorted.length > 0
  $('#advice').replaceChildren(
    ...sorted.map((a) => {
      // the service words actions in Chinese: in English, a count or accrual line is built from its fact
      const englishFact = lang !== 'zh' && a.fact && a.more != null && has(`api.fact.${a.fact}`)
      const what =
        a.action && !englishFact
          ? zh(a.action)
          : a.fact && a.more !== null && a.more !== undefined
            ? t('advice.more', {
                fact:
                  lang !== 'zh' && has(`api.fact.${a.fact}`)
                    ? t(`api.fact.${a.fact}`)
                    : (a.factLabel ?? a.fact),
                more: num(a.more),
              })
            : apiLabel('item', a.item, a.label)
      const now = t('advice.now', {
        label: lang !== 'zh' && has(`api.item.${a.item}`) ? t(`api.item.${a.item}`) : a.label,
        points: num(a.points),
        cap: a.cap === null ? t('items.noCap') : num(a.cap),
      })
      return el('li', { 'data-item': a.item, ...(a.fact ? { 'data-fact': a.fact } : {}) }, [
        el('span', { class: 'advice-what' }, [what]),
        ' ',
        el('strong', { class: 'gain' }, [t('advice.gain', { gain: num(a.gain) })]),
        el('span', { class: 'sub' }, [
          now,
          ...(a.ref ? ['；', zh(a.ref)] : []),
          ...(a.provisional ? [' ', provisionalMark(true)] : []),
        ]),
      ])
    }),
  )
}

/**
 * @param {Projection | null} projection
 */
function renderProjection(projection) {
  const section = $('#projection')
  const summary = $('#projection-summary')
  const chart = $('#projection-chart')
  const details = /** @type {HTMLElement} */ ($('#projection-table-details'))
  section.hidden = !(projection && projection.points.length > 0)
  if (!projection || projection.points.length === 0) {
    summary.textContent = ''
    chart.replaceChildren()
    details.hidden = true
    return
  }
  details.hidden = false
  const target = projection.target
  summary.replaceChildren()
  summary.removeAttribute('data-reached-on')
  if (target?.reachedOn) {
    summary.setAttribute('data-reached-on', target.reachedOn)
    summary.textContent = t('projection.reached', { date: target.reachedOn, points: num(target.points) })
    // reached, but the permit lapsed or a freeze still runs on that day (no endorsement is assumed)
    if (target.eligibleThen === false) summary.append(' ', t('projection.notEligibleThen'))
  } else if (target) {
    // "never" only when nothing rises any more; otherwise it is not reached within the window drawn
    const key = target.by
      ? 'projection.notReachedBy'
      : target.never === false
        ? 'projection.notReachedInWindow'
        : 'projection.notReached'
    summary.append(
      t(key, { points: num(target.points), by: target.by ?? '', to: projection.to, reason: '' }),
      zh(target.reason ?? ''),
    )
  } else {
    summary.textContent = t('projection.range', { from: projection.from, to: projection.to })
  }
  drawChart()
  const points = projection.points
  $('#projection-table tbody').replaceChildren(
    ...points.map((p) =>
      el('tr', {}, [
        el('td', {}, [p.date]),
        el('td', { class: 'num' }, [num(p.total)]),
        el('td', {}, [t(p.eligible ? 'yes' : 'no')]),
      ]),
    ),
  )
}

/** Draws the projection of the answer shown at the chart's current width (again when the window resizes). */
function drawChart() {
  const projection = shown?.preview.projection
  const chart = $('#projection-chart')
  if (!projection || projection.points.length === 0) return
  const points = projection.points
  const width = Math.max(280, Math.min(760, Math.floor(chart.clientWidth || 600)))
  const first = points[0]
  const last = points[points.length - 1]
  chart.innerHTML = projectionChart(projection, {
    width,
    height: Math.round(Math.max(200, Math.min(300, width * 0.5))),
    labels: {
      title: t('projection.chartTitle'),
      description: t('projection.chartDesc', {
        from: first.date,
        first: num(first.total),
        to: last.date,
        last: num(last.total),
      }),
      target: t('projection.chartTarget', { points: '{points}' }),
      reached: t('projection.chartReached', { date: '{date}' }),
      point: t('projection.chartPoint', { date: '{date}', total: '{total}' }),
      notEligible: t('projection.notEligibleMark'),
    },
  })
}

// ---------------------------------------------------------------- save and load: files on the user's own device

/** A local calendar date, YYYY-MM-DD. */
function today() {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

/** @param {string} key @param {Record<string, string | number>} [values] */
function fileMessage(key, values) {
  $('#file-message').textContent = t(key, values)
}

/** Downloads the request the form makes as a JSON file; nothing is stored by the page or the service. */
function save() {
  const { request } = requestFromFields(readFields())
  const name = `jifen-${request.asOf || today()}.json`
  const blob = new Blob([`${JSON.stringify(request, null, 2)}\n`], { type: 'application/json' })
  const url = URL.createObjectURL(blob)
  const a = el('a', { href: url, download: name })
  document.body.append(a)
  a.click()
  a.remove()
  // after the download has started; revoking at once can cancel it in some browsers
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  fileMessage('file.saved', { name })
}

/** @param {File} file */
async function load(file) {
  if (file.size > MAX_FILE_BYTES) return fileMessage('file.tooLarge', { name: file.name })
  let parsed
  try {
    parsed = JSON.parse(await file.text())
  } catch {
    return fileMessage('file.bad', { name: file.name })
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return fileMessage('file.bad', { name: file.name })
  }
  const ignored = fillForm(parsed)
  $('#file-message').textContent = [
    t('file.loaded', { name: file.name }),
    ...(ignored.length > 0 ? [t('file.ignored', { keys: ignored.join(', ') })] : []),
  ].join(' ')
}

function reset() {
  const f = emptyFields()
  f.asOf = today()
  writeFields(f)
  addRow('socialInsurance')
  addRow('employment')
  clearErrors()
  shown = null
  $('#results-body').hidden = true
  $('#results-empty').hidden = false
  $('#status').textContent = ''
  $('#file-message').textContent = ''
}

// ---------------------------------------------------------------- start

function start() {
  const requested = new URLSearchParams(location.search).get('lang')
  const initial = LANGS.find((l) => l === requested) ?? 'zh'
  for (const wrapper of document.querySelectorAll('[data-region]')) wireRegion(wrapper)
  setLanguage(initial)
  reset()

  $('#lang-toggle').addEventListener('click', () => {
    const next = lang === 'zh' ? 'en' : 'zh'
    setLanguage(next)
    // the address keeps the choice for a reload, without a request
    history.replaceState(null, '', next === 'zh' ? location.pathname : `${location.pathname}?lang=${next}`)
  })
  for (const button of document.querySelectorAll('[data-add]')) {
    button.addEventListener('click', () => {
      const list = /** @type {HTMLElement} */ (button).dataset.add ?? ''
      const row = addRow(list)
      const first = row.querySelector(
        `[data-field="${FIRST_FIELD[/** @type {keyof FIRST_FIELD} */ (list)]}"]`,
      )
      if (first instanceof HTMLElement) first.focus()
    })
  }
  select('housingKind').addEventListener('change', showHousingParts)
  $('#facts').addEventListener('submit', (ev) => {
    ev.preventDefault()
    void submitForm()
  })
  $('#save').addEventListener('click', save)
  $('#reset').addEventListener('click', reset)
  const file = input('load-file')
  file.addEventListener('change', () => {
    const chosen = file.files?.[0]
    file.value = ''
    if (chosen) void load(chosen)
  })
  let resizing = 0
  window.addEventListener('resize', () => {
    clearTimeout(resizing)
    resizing = window.setTimeout(drawChart, 150)
  })
  document.documentElement.dataset.ready = 'true'
}

start()
