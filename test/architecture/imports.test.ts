// The import graph of the product code: no cycles (type-only imports included) and layers that only point down.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import t from 'tap'
import { projectRoot } from '../../src/project-root.ts'

const ROOTS = ['lib', 'schema', 'scoring', 'src']

function sourceFiles(): string[] {
  const out: string[] = []
  for (const root of ROOTS) {
    for (const f of readdirSync(join(projectRoot, root), { recursive: true, encoding: 'utf8' })) {
      if (f.endsWith('.ts') && !f.endsWith('.d.ts')) out.push(join(root, f))
    }
  }
  return out.sort()
}

// static imports and re-exports (`import type` too: a type-only cycle still couples two modules), and import()
const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\b[^'"]*?\sfrom\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g

/** Each file's relative imports, as project paths. */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of sourceFiles()) {
    const text = readFileSync(join(projectRoot, file), 'utf8')
    const deps: string[] = []
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2]
      if (!spec.startsWith('.')) continue
      deps.push(relative(projectRoot, resolve(projectRoot, dirname(file), spec)))
    }
    graph.set(file, deps)
  }
  return graph
}

/** Strongly connected components of more than one file, or a file that imports itself (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string): void => {
    index.set(v, next)
    low.set(v, next)
    next++
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        scc.push(w)
      } while (w !== v)
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort())
    }
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return found
}

const graph = importGraph()

t.test('the import graph is read: it has the files and edges it should', async (t) => {
  t.ok(graph.size > 50, `${graph.size} files`)
  t.ok(graph.get('scoring/compile.ts')?.includes('scoring/compiled.ts'), 'type-only imports are edges')
})

t.test('no import cycles, type-only imports included', async (t) => {
  t.same(cycles(graph), [])
})

t.test('the cycle finder finds a cycle', async (t) => {
  const g = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts']],
    ['d.ts', ['a.ts']],
  ])
  t.same(cycles(g), [['a.ts', 'b.ts', 'c.ts']])
})

/** What each layer may import: data flows one way, routes → services → scoring | repositories. */
const MAY_NOT_IMPORT: Record<string, string[]> = {
  'lib/': ['schema/', 'scoring/', 'src/'],
  'schema/': ['scoring/', 'src/'],
  'scoring/': ['src/'],
}

t.test('layers import only what is below them', async (t) => {
  const wrong: string[] = []
  for (const [file, deps] of graph) {
    for (const [layer, banned] of Object.entries(MAY_NOT_IMPORT)) {
      if (!file.startsWith(layer)) continue
      for (const d of deps) if (banned.some((b) => d.startsWith(b))) wrong.push(`${file} → ${d}`)
    }
  }
  t.same(wrong, [])
})
