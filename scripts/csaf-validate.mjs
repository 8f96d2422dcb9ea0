#!/usr/bin/env node
// Validates every CSAF 2.0 document (*.json, recursively) under the given directories or files
// with the BSI/Secvisogram csaf-validator-lib: the strict CSAF 2.0 schema test and every
// mandatory test (CSAF 2.0 section 6.1). Prints one line per document and each error with its
// JSON path; exits 1 if any document fails, 2 on a usage error or an unreadable file.
//
//   npm ci --prefix scripts
//   node scripts/csaf-validate.mjs out/csaf
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import validateStrict from '@secvisogram/csaf-validator-lib/validateStrict.js'
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js'
import { csaf_2_0_strict } from '@secvisogram/csaf-validator-lib/schemaTests.js'

const tests = [csaf_2_0_strict, ...Object.values(mandatory)]

async function collect(path, out) {
  const s = await stat(path)
  if (s.isDirectory()) {
    const entries = (await readdir(path)).sort()
    for (const name of entries) await collect(join(path, name), out)
  } else if (path.endsWith('.json')) {
    out.push(path)
  }
}

const args = process.argv.slice(2)
if (args.length === 0) {
  console.error('usage: csaf-validate.mjs DIR|FILE...')
  process.exit(2)
}
const files = []
for (const arg of args) {
  try {
    await collect(arg, files)
  } catch (e) {
    console.error(`error: ${arg}: ${e.message}`)
    process.exit(2)
  }
}
if (files.length === 0) {
  console.error(`error: no CSAF documents (*.json) under ${args.join(', ')}`)
  process.exit(2)
}

let failed = 0
for (const file of files) {
  let doc
  try {
    doc = JSON.parse(await readFile(file, 'utf8'))
  } catch (e) {
    console.log(`FAIL ${file}: not JSON: ${e.message}`)
    failed++
    continue
  }
  const result = await validateStrict(tests, doc)
  if (result.isValid) {
    console.log(`ok   ${file}`)
  } else {
    failed++
    console.log(`FAIL ${file}`)
    for (const t of result.tests) {
      for (const e of t.errors) console.log(`  ${t.name} at ${e.instancePath}: ${e.message}`)
    }
  }
}
console.log(`${files.length - failed} of ${files.length} CSAF document(s) valid (schema and mandatory tests)`)
process.exit(failed === 0 ? 0 : 1)
