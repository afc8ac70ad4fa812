// Passive Authentication throughput: neweid (sync and async, one core and
// all cores) beside the raw signature verification of the same DS key and
// signature with node:crypto, and beside a pkijs implementation.
//
// Build first: npm run build:native:release && npx tsc -p .
// Run:         node benches/pa.bench.mjs [--seconds 2] [--photo-bytes 16384] [--json]
// --photo-bytes sets the size of DG9 (the face image); 0 leaves DG9 out.
//
// Each measurement runs in a child process, so that UV_THREADPOOL_SIZE can be
// set per case (1 for one core, nproc for all cores).

import { fork } from 'node:child_process'
import { createPublicKey, randomBytes, verify as cryptoVerify } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'

import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'

import { createTestPki, encodeLdsWithOpenssl, signWithOpenssl, wrapSod } from '../tools/test-pki.mjs'

const self = fileURLToPath(import.meta.url)
const CURVES = ['P-256', 'brainpoolP256r1']
const CONCURRENCY = 64

function parseArgs(argv) {
  const options = { seconds: 2, json: false, photoBytes: 16 * 1024 }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seconds') options.seconds = Number(argv[++i])
    else if (argv[i] === '--photo-bytes') options.photoBytes = Number(argv[++i])
    else if (argv[i] === '--json') options.json = true
  }
  return options
}

/** Data groups of the card profile's shapes: small text DGs and a DG9 (photo) of `photoBytes`. */
function makeDataGroups(photoBytes) {
  const groups = new Map()
  for (const number of [1, 2, 3, 4, 5, 6, 7, 8, 15]) {
    const text = Buffer.from(`TEST DG${number} 測試資料`)
    groups.set(number, Buffer.concat([Buffer.from([0x60 + number, text.length + 2, 0x80, text.length]), text]))
  }
  if (photoBytes === 0) return groups
  const photo = randomBytes(photoBytes)
  groups.set(9, Buffer.concat([Buffer.from([0x69, 0x82, (photo.length + 4) >> 8, (photo.length + 4) & 0xff, 0x5f, 0x2e, 0x82]), Buffer.from([photo.length >> 8, photo.length & 0xff]), photo]))
  return groups
}

/** Makes a PKI and an openssl-signed SOD for each curve; returns plain data for the children. */
function prepare(photoBytes) {
  const groups = makeDataGroups(photoBytes)
  const lds = encodeLdsWithOpenssl(groups)
  const cases = {}
  for (const curve of CURVES) {
    const out = mkdtempSync(join(tmpdir(), 'neweid-bench-'))
    const pki = createTestPki({ out, cscaCurve: curve })
    const sod = wrapSod(signWithOpenssl({ content: lds, certificate: pki.dsCert, key: pki.dsKey }))
    cases[curve] = {
      sod: sod.toString('base64'),
      csca: readFileSync(pki.cscaCert, 'utf8'),
      crl: readFileSync(pki.crl, 'utf8'),
      dsCert: readFileSync(pki.dsCert, 'utf8'),
    }
  }
  const dataGroups = Object.fromEntries([...groups].map(([number, bytes]) => [number, bytes.toString('base64')]))
  return { cases, dataGroups }
}

/** Extracts the signed attributes (as a SET) and the signature of the SOD with pkijs, for the raw verify. */
function rawSignature(sod) {
  const outer = asn1js.fromBER(new Uint8Array(sod).buffer)
  const contentInfo = new pkijs.ContentInfo({ schema: outer.result.valueBlock.value[0] })
  const signedData = new pkijs.SignedData({ schema: contentInfo.content })
  const signer = signedData.signerInfos[0]
  const attributes = Buffer.from(signer.signedAttrs.encodedValue)
  attributes[0] = 0x31
  return { data: attributes, signature: Buffer.from(signer.signature.valueBlock.valueHexView) }
}

function pemToDer(pem) {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')
}

async function loadNeweid() {
  return import('../dist/index.js')
}

/** Runs `step` (sync) for `seconds` and returns operations per second. */
function loopSync(seconds, step) {
  const end = performance.now() + seconds * 1000
  let count = 0
  const start = performance.now()
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) step()
    count += 50
  }
  return count / ((performance.now() - start) / 1000)
}

/** Keeps `concurrency` calls of `step` (async) in flight for `seconds`. */
async function loopAsync(seconds, concurrency, step) {
  const start = performance.now()
  const end = start + seconds * 1000
  let count = 0
  async function lane() {
    while (performance.now() < end) {
      await step()
      count++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return count / ((performance.now() - start) / 1000)
}

/** Measures one case inside a child process or worker. */
async function measure({ mode, curve, seconds, data }) {
  const input = data.cases[curve]
  const sod = Buffer.from(input.sod, 'base64')
  const groups = new Map(Object.entries(data.dataGroups).map(([number, value]) => [Number(number), Buffer.from(value, 'base64')]))
  const { data: signed, signature } = rawSignature(sod)
  const key = createPublicKey(input.dsCert)

  if (mode === 'raw-sync') return loopSync(seconds, () => cryptoVerify('sha256', signed, key, signature))
  if (mode === 'raw-async') {
    return loopAsync(seconds, CONCURRENCY, () => new Promise((resolve, reject) => cryptoVerify('sha256', signed, key, signature, (error, ok) => (error || !ok ? reject(error ?? new Error('raw verify failed')) : resolve()))))
  }
  if (mode === 'pkijs') {
    const { pkijsPassiveAuthentication, pkijsTrust, useEngine } = await import('./pkijs-pa.mjs')
    useEngine(curve === 'P-256' ? 'node' : 'peculiar')
    const trust = pkijsTrust([pemToDer(input.csca)], [pemToDer(input.crl)])
    const first = await pkijsPassiveAuthentication(sod, groups, trust)
    if (!first.ok) throw new Error(`pkijs PA failed: ${JSON.stringify(first.checks)}`)
    return loopAsync(seconds, 1, () => pkijsPassiveAuthentication(sod, groups, trust))
  }

  const neweid = await loadNeweid()
  const trust = new neweid.TrustStore()
  trust.addCsca(input.csca)
  trust.addCrl(input.crl)
  const evidence = { dataGroups: groups, sod }
  const first = neweid.verifyPassiveAuthenticationSync(evidence, trust)
  if (!first.ok) throw new Error(`PA failed: ${JSON.stringify(first.checks.filter((c) => !c.ok))}`)
  if (mode === 'pa-sync') return loopSync(seconds, () => neweid.verifyPassiveAuthenticationSync(evidence, trust))
  if (mode === 'pa-sync-checks') return loopSync(seconds, () => neweid.verifyPassiveAuthenticationSync(evidence, trust).checks)
  if (mode === 'pa-async') return loopAsync(seconds, CONCURRENCY, () => neweid.verifyPassiveAuthentication(evidence, trust))
  throw new Error(`unknown mode ${mode}`)
}

/** Runs `mode` in `workers` worker threads at once and sums their rates. */
async function measureWorkers(job, workers) {
  const rates = await Promise.all(
    Array.from({ length: workers }, () => new Promise((resolve, reject) => {
      const worker = new Worker(self, { workerData: job })
      worker.once('message', resolve)
      worker.once('error', reject)
    })),
  )
  return rates.reduce((sum, rate) => sum + rate, 0)
}

/** Runs one job in a child process with the given thread pool size. */
function inChild(job, poolSize, workers = 0) {
  return new Promise((resolve, reject) => {
    const child = fork(self, ['--child'], { env: { ...process.env, UV_THREADPOOL_SIZE: String(poolSize) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    child.once('message', (message) => (message.error ? reject(new Error(message.error)) : resolve(message.rate)))
    child.send({ job, workers })
  })
}

async function main() {
  const options = parseArgs(process.argv.slice(2))
  const cores = availableParallelism()
  const data = prepare(options.photoBytes)
  const rows = []
  for (const curve of CURVES) {
    const job = (mode) => ({ mode, curve, seconds: options.seconds, data })
    const row = { curve }
    row.rawSync1 = await inChild(job('raw-sync'), 1)
    row.paSync1 = await inChild(job('pa-sync'), 1)
    row.paSyncChecks1 = await inChild(job('pa-sync-checks'), 1)
    row.rawAsync1 = await inChild(job('raw-async'), 1)
    row.paAsync1 = await inChild(job('pa-async'), 1)
    row.rawAsyncAll = await inChild(job('raw-async'), cores)
    row.paAsyncAll = await inChild(job('pa-async'), cores)
    row.rawWorkersAll = await inChild(job('raw-sync'), 1, cores)
    row.paWorkersAll = await inChild(job('pa-sync'), 1, cores)
    row.pkijs1 = await inChild(job('pkijs'), 1)
    rows.push(row)
  }
  const machine = { cores, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, openssl: execFileSync('openssl', ['version']).toString().trim() }
  if (options.json) {
    console.log(JSON.stringify({ machine, photoBytes: options.photoBytes, rows }, null, 2))
    return
  }
  console.log(`machine: ${machine.cpu}, ${cores} cores, Node ${machine.node}, ${machine.openssl}`)
  console.log(`data groups: 9 small text DGs${options.photoBytes > 0 ? ` and a ${options.photoBytes}-byte DG9` : ''}`)
  const format = (rate) => rate.toFixed(0).padStart(7)
  const ratio = (a, b) => (a / b).toFixed(2)
  for (const row of rows) {
    console.log(`\n${row.curve} DS (verifications per second; ratio = PA / raw verify of the same signature)`)
    console.log(`  one core, sync        PA ${format(row.paSync1)}  raw ${format(row.rawSync1)}  ratio ${ratio(row.paSync1, row.rawSync1)}`)
    console.log(`  one core, sync+checks PA ${format(row.paSyncChecks1)}  raw ${format(row.rawSync1)}  ratio ${ratio(row.paSyncChecks1, row.rawSync1)}`)
    console.log(`  one core, async       PA ${format(row.paAsync1)}  raw ${format(row.rawAsync1)}  ratio ${ratio(row.paAsync1, row.rawAsync1)}`)
    console.log(`  ${cores} cores, async       PA ${format(row.paAsyncAll)}  raw ${format(row.rawAsyncAll)}  ratio ${ratio(row.paAsyncAll, row.rawAsyncAll)}`)
    console.log(`  ${cores} cores, workers     PA ${format(row.paWorkersAll)}  raw ${format(row.rawWorkersAll)}  ratio ${ratio(row.paWorkersAll, row.rawWorkersAll)}`)
    console.log(`  one core, pkijs PA    ${format(row.pkijs1)}  neweid sync / pkijs ${ratio(row.paSync1, row.pkijs1)}`)
  }
}

if (!isMainThread) {
  parentPort.postMessage(await measure(workerData))
} else if (process.argv.includes('--child')) {
  process.once('message', async ({ job, workers }) => {
    try {
      const rate = workers > 0 ? await measureWorkers(job, workers) : await measure(job)
      process.send({ rate }, () => process.exit(0))
    } catch (error) {
      process.send({ error: error.stack ?? String(error) }, () => process.exit(1))
    }
  })
} else {
  await main()
}
