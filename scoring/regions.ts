// Region-code scopes used by the rules: Zhejiang, Ningbo, the urban districts, the Yangtze River Delta.

export const ZHEJIANG = '330000'
export const NINGBO = '330200'

/** Ningbo's urban area (市区): the six districts of policy.md §4; the counties are not in it. */
export const NINGBO_URBAN_DISTRICTS = ['330203', '330205', '330206', '330211', '330212', '330213'] as const

/** The prefix that a region code must start with to lie inside `code` (330000 → 33, 330200 → 3302). */
export function regionPrefix(code: string): string {
  if (code.endsWith('0000')) return code.slice(0, 2)
  if (code.endsWith('00')) return code.slice(0, 4)
  return code
}

export function isWithin(region: string | null | undefined, scope: string): boolean {
  return isWithinPrefix(region, regionPrefix(scope))
}

/**
 * isWithin with the scope's prefix (regionPrefix) worked out by the caller: for code that tests
 * many regions against one scope.
 */
export function isWithinPrefix(region: string | null | undefined, prefix: string): boolean {
  return region?.startsWith(prefix) === true
}

/** Yangtze River Delta social insurance: Shanghai 31, Jiangsu 32, Zhejiang 33, Anhui 34. */
export function isYrd(region: string): boolean {
  const p = region.slice(0, 2)
  return p === '31' || p === '32' || p === '33' || p === '34'
}

export function isNingboUrban(region: string | null | undefined): boolean {
  if (region == null) return false
  // a loop, not .some(): no closure per call (this runs in every evaluation)
  for (const d of NINGBO_URBAN_DISTRICTS) if (region.startsWith(d)) return true
  return false
}

/** The jurisdictions a table may be looked up in for `code`, nearest first: district, city, province. */
export function jurisdictionChain(code: string): string[] {
  const chain = [code]
  const city = `${code.slice(0, 4)}00`
  const province = `${code.slice(0, 2)}0000`
  if (!chain.includes(city)) chain.push(city)
  if (!chain.includes(province)) chain.push(province)
  return chain
}
