// `tsx src/tables/write-parsed-cache.ts`, the end of `npm run build`: parses the shipped YAML tables once into dist/shipped-tables.json.
import { writeParsedCache } from './parsed-cache.ts'
import { SHIPPED_TABLES_DIR } from './shipped.ts'

// quiet, like the esbuild step before it
writeParsedCache(SHIPPED_TABLES_DIR)
