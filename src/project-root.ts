// The project's root folder, found from this file so that it works from any working directory.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// One level below the root either way: src/project-root.ts under tsx (tests, tools), or the bundle
// dist/jifen.mjs that `npm start` builds (esbuild keeps import.meta.url pointing at the bundle).
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
