// The printable notice of an official points record: one self-contained HTML page (inline print CSS, no scripts, no external files).
import type { PointsEvaluation } from '../../schema/api.ts'
import { citation } from '../../scoring/references.ts'

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Every value goes through this: labels and references come from tables an admin may have written. */
function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c])
}

/** An item's value as a clerk reads it: text as is, yes/no for booleans, a dash for nothing. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return '—'
  // an item value of this release carries its own Chinese label; older records hold the bare fact
  if (typeof value === 'object' && 'label' in value && typeof value.label === 'string') return value.label
  if (typeof value === 'boolean') return value ? '是' : '否'
  if (typeof value === 'object')
    return Object.entries(value)
      .map(([k, v]) => `${k.replace(/^city\./, '')} ${shown(v)}`)
      .join('，')
  return String(value)
}

/** The date of an instant in China Standard Time, as printed on the notice. */
function cstDate(iso: string): string {
  return new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
}

const STYLE = `
  body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif; color: #000; margin: 2em; }
  h1 { font-size: 1.5em; text-align: center; margin: 0 0 .2em; }
  .sub { text-align: center; margin: 0 0 1.5em; }
  table { border-collapse: collapse; width: 100%; margin: 1em 0; }
  th, td { border: 1px solid #000; padding: .3em .5em; text-align: left; vertical-align: top; }
  td.n { text-align: right; white-space: nowrap; }
  tbody td:first-child, th { white-space: nowrap; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .3em 1em; }
  dt { font-weight: bold; }
  dd { margin: 0; word-break: break-all; }
  .total { font-size: 1.3em; font-weight: bold; }
  .void { border: 3px solid #b00; color: #b00; padding: .5em; font-weight: bold; text-align: center; }
  .code { font-family: monospace; font-size: 1.4em; letter-spacing: .1em; }
  .small { font-size: .85em; }
  @page { size: A4; margin: 18mm 15mm; }
  @media print {
    body { margin: 0; }
    tr { page-break-inside: avoid; }
    .verify { page-break-inside: avoid; }
  }
`

/** A provisional row's mark on the notice: 暂定, with the table's reason when it gives one. */
function provisionalMark(row: { provisional: boolean; provisionalReason?: string }): string {
  if (!row.provisional) return ''
  return row.provisionalReason === undefined ? '（暂定）' : `（暂定：${esc(row.provisionalReason)}）`
}

/**
 * The notice: reference, dates, masked ID, total, each item with its points and legal reference, the
 * table (key and hash) and the verification code a third party checks at GET /v1/verify/{reference}.
 */
export function renderNotice(e: PointsEvaluation, code: string): string {
  const r = e.result
  // the citation text of each row's reference keys; a record stored before references were data cites free text
  const cite = (ref: string | readonly string[]) => esc(citation(ref, r.references))
  const items = r.items
    .map(
      (i) =>
        `<tr><td>${esc(i.label)}</td><td>${esc(shown(i.value))}</td><td class="n">${esc(i.points)}</td><td class="small">${cite(i.ref)}${provisionalMark(i)}</td></tr>`,
    )
    .join('\n')
  const deductions = r.deductions
    .map(
      (d) =>
        `<tr><td>${esc(d.label)}</td><td>${esc(d.recordDate)}</td><td class="n">−${esc(d.points)}</td><td class="small">${cite(d.ref)}</td></tr>`,
    )
    .join('\n')
  const voided =
    e.void === null
      ? ''
      : `<p class="void">本记录已作废（${esc(cstDate(e.void.at))}）：${esc(e.void.reason)}${e.void.correctedBy === null ? '' : '；已由更正记录取代'}</p>`
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>积分记录 ${esc(e.reference)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>流动人口积分记录</h1>
<p class="sub">编号 <strong id="reference">${esc(e.reference)}</strong></p>
${voided}
<dl>
  <dt>记录日期</dt><dd id="date">${esc(cstDate(e.createdAt))}</dd>
  <dt>积分计算日</dt><dd>${esc(r.asOf)}</dd>
  <dt>适用地区</dt><dd>${esc(r.jurisdiction)}</dd>
  <dt>身份证号</dt><dd id="id-number">${esc(e.idNumberMasked ?? '未提供')}</dd>
  <dt>总分</dt><dd class="total" id="total">${esc(r.total)}</dd>
</dl>
<table>
<thead><tr><th>项目</th><th>情况</th><th>分值</th><th>依据</th></tr></thead>
<tbody>
${items}
</tbody>
</table>
${deductions === '' ? '' : `<table><thead><tr><th>扣分</th><th>日期</th><th>分值</th><th>依据</th></tr></thead><tbody>${deductions}</tbody></table>`}
<dl class="small">
  <dt>积分表</dt><dd id="ruleset">${esc(e.ruleset.key)}</dd>
  <dt>积分表哈希</dt><dd>${esc(r.ruleset.sha256)}</dd>
  <dt>事实哈希</dt><dd>${esc(r.factsSha256)}</dd>
</dl>
<div class="verify">
<p>验证码 <span class="code" id="code">${esc(code)}</span></p>
<p class="small">核验：GET /v1/verify/${esc(e.reference)}?code=${esc(code)}（仅答复记录是否存在、是否有效及总分）</p>
</div>
</body>
</html>
`
}
