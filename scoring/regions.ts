// Region-code scopes used by the rules: Zhejiang, Ningbo, and codes lying within them. (Ningbo's urban districts and the YRD provinces are table parameters: scoring/facts/parameters.ts.)

export const ZHEJIANG = '330000'
export const NINGBO = '330200'

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

/** The jurisdictions a table may be looked up in for `code`, nearest first: district, city, province. */
export function jurisdictionChain(code: string): string[] {
  const chain = [code]
  const city = `${code.slice(0, 4)}00`
  const province = `${code.slice(0, 2)}0000`
  if (!chain.includes(city)) chain.push(city)
  if (!chain.includes(province)) chain.push(province)
  return chain
}
