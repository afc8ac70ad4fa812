// Import time and memory of the CNS table, measured on the compiled package.
//
// Run: npm run build:ts && node --expose-gc benches/text-tables.mjs
// (npm run bench:text-tables). Each measurement runs in a fresh Node process, because
// the module and the table load once per process; the script prints the median of RUNS.

import { execFileSync } from 'node:child_process'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'

const RUNS = 11
const MODULE_URL = new URL('../dist/text/index.js', import.meta.url).href
// Imported first, so that the ESM loader's own start-up is not counted against the text module.
const WARM_UP_URL = new URL('../dist/i18n.js', import.meta.url).href

// One process: import the module, then load the table (first decode), then build the
// Unicode to CNS index (first encode), then load iconv-lite (first Big5 call),
// recording time and memory after each step.
const probe = `
await import(${JSON.stringify(WARM_UP_URL)})
const mib = (bytes) => bytes / 1048576
const snapshot = () => { globalThis.gc(); return process.memoryUsage() }
const delta = (after, before) => ({
  heapUsed: mib(after.heapUsed - before.heapUsed),
  arrayBuffers: mib(after.arrayBuffers - before.arrayBuffers),
  rss: mib(after.rss - before.rss),
})
const m0 = snapshot()
let start = performance.now()
const text = await import(${JSON.stringify(MODULE_URL)})
const importMs = performance.now() - start
const m1 = snapshot()
start = performance.now()
text.decodeCnsText(Uint8Array.of(1, 0x44, 0x21))
const tableMs = performance.now() - start
const m2 = snapshot()
start = performance.now()
text.encodeCnsText('一')
const indexMs = performance.now() - start
const m3 = snapshot()
start = performance.now()
text.fromBig5(Uint8Array.of(0xa4, 0x40))
const big5Ms = performance.now() - start
const m4 = snapshot()
console.log(JSON.stringify({
  importMs, tableMs, indexMs, big5Ms,
  importMemory: delta(m1, m0), tableMemory: delta(m2, m1), indexMemory: delta(m3, m2), big5Memory: delta(m4, m3),
}))
`

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

const runs = []
for (let run = 0; run < RUNS; run++) {
  const output = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', probe], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    encoding: 'utf8',
  })
  runs.push(JSON.parse(output))
}

const pick = (path) => median(runs.map((run) => path.split('.').reduce((value, key) => value[key], run)))
console.log(`node ${process.version}, ${cpus().length} CPUs, ${cpus()[0]?.model ?? 'unknown CPU'}; median of ${RUNS} processes`)
console.log(`import dist/text/index.js      ${pick('importMs').toFixed(1)} ms, heap +${pick('importMemory.heapUsed').toFixed(2)} MiB, RSS +${pick('importMemory.rss').toFixed(2)} MiB`)
console.log(`load the table (first decode)  ${pick('tableMs').toFixed(2)} ms, heap +${pick('tableMemory.heapUsed').toFixed(2)} MiB, array buffers +${pick('tableMemory.arrayBuffers').toFixed(2)} MiB, RSS +${pick('tableMemory.rss').toFixed(2)} MiB`)
console.log(`build the index (first encode) ${pick('indexMs').toFixed(2)} ms, heap +${pick('indexMemory.heapUsed').toFixed(2)} MiB, array buffers +${pick('indexMemory.arrayBuffers').toFixed(2)} MiB, RSS +${pick('indexMemory.rss').toFixed(2)} MiB`)
console.log(`first Big5 call (iconv-lite)   ${pick('big5Ms').toFixed(2)} ms, heap +${pick('big5Memory.heapUsed').toFixed(2)} MiB, RSS +${pick('big5Memory.rss').toFixed(2)} MiB`)
