// The project's root folder, found from this file so that it works from any working directory.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

// src/ is one level below the root; we run TypeScript sources directly (tsx), never from dist/.
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
