// The projection chart: the score at each month-end over the coming months as inline SVG markup, with the target line and the date it is reached.
// @ts-check

/**
 * @typedef {{ date: string, total: number, eligible: boolean }} ProjectionPoint
 * @typedef {{ points: number, by: string | null, reachedOn: string | null, reason: string | null,
 *   never?: boolean, short?: number | null, eligibleThen?: boolean | null }} ProjectionTarget
 * @typedef {{ from: string, to: string, points: ProjectionPoint[], target: ProjectionTarget | null }} Projection
 * @typedef {{
 *   title: string,
 *   description: string,
 *   target: string,
 *   reached: string,
 *   notEligible: string,
 *   point: string
 * }} ChartLabels
 *   Text from the page's dictionary. `description` summarises the chart for screen readers; `target`,
 *   `reached` and `point` are templates: {points}, {date}, {total} are filled in.
 * @typedef {{ width: number, height: number, labels: ChartLabels, idPrefix?: string }} ChartOptions
 */

/** Space around the plot area, in pixels, for the axis labels. */
export const MARGIN = Object.freeze({ top: 16, right: 16, bottom: 32, left: 44 })

/** @param {string} s */
export function escapeXml(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * Days since 1970-01-01 of a calendar date, by H. Hinnant's days-from-civil: the chart spaces its points
 * by calendar days without going through timestamps or the browser's time zone.
 * @param {string} date YYYY-MM-DD
 */
export function dayNumber(date) {
  let y = Number(date.slice(0, 4))
  const m = Number(date.slice(5, 7))
  const d = Number(date.slice(8, 10))
  y -= m <= 2 ? 1 : 0
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/**
 * A "nice" axis from lo to hi: about `ticks` steps of 1, 2 or 5 × 10^k points, widened to whole steps.
 * A flat series gets a band of one step around it.
 * @param {number} lo
 * @param {number} hi
 * @param {number} ticks
 * @returns {{ min: number, max: number, step: number }}
 */
export function niceScale(lo, hi, ticks = 4) {
  const span = hi - lo
  const raw = span > 0 ? span / ticks : Math.max(Math.abs(hi), 1) / ticks
  const power = 10 ** Math.floor(Math.log10(raw))
  // steps below 1 (0.2, 0.05 …) are held to their decimals: 7 × 0.2 is 1.4, not 1.4000000000000001
  const decimals = Math.max(0, -Math.floor(Math.log10(raw)))
  const round = (/** @type {number} */ v) => Number(v.toFixed(decimals))
  const step = round([1, 2, 5, 10].map((f) => f * power).find((s) => s >= raw) ?? 10 * power)
  let min = round(Math.floor(lo / step) * step)
  let max = round(Math.ceil(hi / step) * step)
  if (max === min) {
    min = round(min - step)
    max = round(max + step)
  }
  return { min, max, step }
}

/** @param {string} template @param {Record<string, string | number>} values */
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m))
}

/** Two decimals at most, without trailing zeros: coordinates stay short and exact enough for a screen. */
const r2 = (/** @type {number} */ n) => String(Math.round(n * 100) / 100)

/**
 * The projection as an SVG element's markup (no script, no external reference), sized `width` × `height`
 * pixels so that its text stays legible on a phone. The score line joins the month-end points; a point
 * whose score could not be used (not eligible, e.g. frozen) is drawn hollow. With a target: a dashed
 * horizontal line at the target and, when it is reached, a vertical line and a label at that date.
 * Every text is escaped. Empty string when there are no points.
 * @param {Projection} projection
 * @param {ChartOptions} options
 */
export function projectionChart(projection, options) {
  const points = projection.points
  if (points.length === 0) return ''
  const { width, height, labels } = options
  const id = options.idPrefix ?? 'projection'
  const target = projection.target
  const totals = points.map((p) => p.total)
  const lo = Math.min(...totals, ...(target ? [target.points] : []))
  const hi = Math.max(...totals, ...(target ? [target.points] : []))
  const yAxis = niceScale(lo, hi)
  const day0 = dayNumber(points[0].date)
  const dayN = dayNumber(points[points.length - 1].date)
  const plotW = width - MARGIN.left - MARGIN.right
  const plotH = height - MARGIN.top - MARGIN.bottom
  const x = (/** @type {string} */ date) =>
    MARGIN.left + (dayN === day0 ? plotW / 2 : ((dayNumber(date) - day0) / (dayN - day0)) * plotW)
  const y = (/** @type {number} */ v) => MARGIN.top + ((yAxis.max - v) / (yAxis.max - yAxis.min)) * plotH

  const parts = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="projection-chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc">`,
    `<title id="${id}-title">${escapeXml(labels.title)}</title>`,
    `<desc id="${id}-desc">${escapeXml(labels.description)}</desc>`,
  )
  // horizontal grid lines with the score on the left
  const ticks = Math.round((yAxis.max - yAxis.min) / yAxis.step)
  for (let i = 0; i <= ticks; i++) {
    const v = yAxis.min + i * yAxis.step
    const yy = r2(y(v))
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" y1="${yy}" x2="${width - MARGIN.right}" y2="${yy}"/>`,
      `<text class="axis" x="${MARGIN.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${r2(v)}</text>`,
    )
  }
  // the first date, then each new year's first point far enough from the previous label, then the last
  // date: a label needs about 80 px
  const labelled = [0]
  for (let i = 1; i < points.length; i++) {
    const last = labelled[labelled.length - 1]
    const newYear = points[i].date.slice(0, 4) !== points[i - 1].date.slice(0, 4)
    if (newYear && x(points[i].date) - x(points[last].date) >= 80) labelled.push(i)
  }
  const end = points.length - 1
  if (end > 0 && x(points[end].date) - x(points[labelled[labelled.length - 1]].date) >= 80) labelled.push(end)
  for (const i of labelled) {
    const anchor = i === 0 ? 'start' : i === end ? 'end' : 'middle'
    parts.push(
      `<text class="axis" x="${r2(x(points[i].date))}" y="${height - MARGIN.bottom + 18}" text-anchor="${anchor}">${escapeXml(points[i].date.slice(0, 7))}</text>`,
    )
  }
  if (target) {
    const ty = r2(y(target.points))
    parts.push(
      `<line class="target" x1="${MARGIN.left}" y1="${ty}" x2="${width - MARGIN.right}" y2="${ty}"/>`,
      `<text class="target-label" x="${width - MARGIN.right}" y="${r2(y(target.points) - 5)}" text-anchor="end">${escapeXml(fill(labels.target, { points: target.points }))}</text>`,
    )
  }
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${r2(x(p.date))} ${r2(y(p.total))}`).join(' ')
  parts.push(`<path class="score" d="${path}"/>`)
  for (const p of points) {
    const label = fill(labels.point, { date: p.date, total: p.total })
    parts.push(
      `<circle class="${p.eligible ? 'point' : 'point not-eligible'}" cx="${r2(x(p.date))}" cy="${r2(y(p.total))}" r="3"><title>${escapeXml(p.eligible ? label : `${label} ${labels.notEligible}`)}</title></circle>`,
    )
  }
  if (target?.reachedOn) {
    // the date may fall between two month-ends: placed by its own day, clamped into the plot
    const d = Math.min(Math.max(dayNumber(target.reachedOn), day0), dayN)
    const rx = dayN === day0 ? x(points[0].date) : MARGIN.left + ((d - day0) / (dayN - day0)) * plotW
    const anchor =
      rx > MARGIN.left + plotW * 0.7 ? 'end' : rx < MARGIN.left + plotW * 0.3 ? 'start' : 'middle'
    parts.push(
      `<line class="reached" x1="${r2(rx)}" y1="${MARGIN.top}" x2="${r2(rx)}" y2="${height - MARGIN.bottom}"/>`,
      `<circle class="reached-point" cx="${r2(rx)}" cy="${r2(y(target.points))}" r="5"/>`,
      `<text class="reached-label" x="${r2(rx)}" y="${MARGIN.top + 12}" text-anchor="${anchor}">${escapeXml(fill(labels.reached, { date: target.reachedOn }))}</text>`,
    )
  }
  parts.push('</svg>')
  return parts.join('')
}
