// Browser test of the built docs site (target/docs-site) in headless Chromium:
// the home page loads without console errors; every endpoint of the index
// table in docs/README.md is in the sidebar, loads and shows its title and
// its example signatures; the search finds an endpoint; the API reference
// shows every operation of each OpenAPI document; "Try it out" sends signed
// requests to a sandbox started for the test (FREEDOMPAY_SANDBOX: the path
// of the freedompay-sandbox binary) and gets its answers.
import { spawn } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { chromium } from 'playwright-core'

const repo = new URL('..', import.meta.url).pathname
const site = join(repo, 'target/docs-site')
const failures = []
const check = (ok, message) => ok || failures.push(message)

// The endpoints of the index table: `| API | Group | [Title](path.md) | …`.
const endpoints = [...readFileSync(join(repo, 'docs/README.md'), 'utf8')
  .matchAll(/^\|[^|]*\|[^|]*\| \[([^\]]+)\]\(([^)]+)\.md\) \|/gm)]
  .map(([, title, path]) => ({ title, path, url: `/${path}.html` }))
check(endpoints.length > 0, 'docs/README.md: no endpoint rows found in the index table')

// The signatures a page's examples print: `pg_sig` values and JWS headers.
function signatures(path) {
  const markdown = readFileSync(join(repo, 'docs', `${path}.md`), 'utf8')
  return [
    ...[...markdown.matchAll(/^`pg_sig` = `([0-9a-f]{32})`$/gm)].map((m) => m[1]),
    ...[...markdown.matchAll(/^X-JWS-Signature: (\S+)$/gm)].map((m) => m[1]),
  ]
}

const types = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.png': 'image/png',
}
const server = createServer((request, response) => {
  let path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname))
  if (path.endsWith('/')) path += 'index.html'
  try {
    const body = readFileSync(join(site, path))
    response.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' })
    response.end(body)
  } catch {
    response.writeHead(404, { 'content-type': 'text/html' })
    response.end(readFileSync(join(site, '404.html')))
  }
})
await new Promise((done) => server.listen(0, '127.0.0.1', done))
const origin = `http://127.0.0.1:${server.address().port}`

const started = Date.now()
// The sandbox, on a free port; it prints its address once it listens.
const sandboxBinary = process.env.FREEDOMPAY_SANDBOX
if (!sandboxBinary) throw new Error('FREEDOMPAY_SANDBOX: the path of the freedompay-sandbox binary (site/test.sh builds it)')
const sandboxProcess = spawn(sandboxBinary, ['--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'ignore'] })
// Stopped however the test ends.
process.on('exit', () => sandboxProcess.kill())
const sandbox = await new Promise((found, failed) => {
  let printed = ''
  sandboxProcess.stdout.on('data', (chunk) => {
    printed += chunk
    const address = /Freedom Pay sandbox at (http:\/\/\S+)/.exec(printed)
    if (address) found(address[1])
  })
  sandboxProcess.on('exit', (code) => failed(new Error(`the sandbox exited (${code}) before listening`)))
  setTimeout(() => failed(new Error('the sandbox printed no address in 10 s')), 10_000).unref()
})
const profile = mkdtempSync(join(tmpdir(), 'docs-site-chromium-'))
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
try {
  const page = browser.pages()[0] ?? await browser.newPage()
  page.setDefaultTimeout(15_000)
  const errors = []
  page.on('console', (m) => m.type() === 'error' && errors.push(`${m.location().url || page.url()}: ${m.text()}`))
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`))
  // Navigating away aborts VitePress's prefetches of linked pages.
  page.on('requestfailed', (r) => r.failure()?.errorText === 'net::ERR_ABORTED'
    || errors.push(`${r.url()}: ${r.failure()?.errorText}`))
  page.on('request', (r) => check(r.url().startsWith(origin) || r.url().startsWith('data:')
    || r.url().startsWith(`${sandbox}/`), `request outside the site and the sandbox: ${r.url()}`))

  // The home page is the index table.
  const home = await page.goto(`${origin}/`)
  check(home.status() === 200, `/: status ${home.status()}`)
  check((await page.locator('h1').innerText()).startsWith('Freedom Pay API reference'), '/: wrong title')
  check(errors.length === 0, `console errors on the home page:\n  ${errors.join('\n  ')}`)

  // Every endpoint is in the sidebar (collapsed groups are still in the page).
  const linked = new Set(await page.locator('.VPSidebar a[href]').evaluateAll(
    (links) => links.map((a) => new URL(a.href).pathname)))
  for (const { url } of endpoints) check(linked.has(url), `${url}: not in the sidebar`)

  // Every endpoint page is served, and opens from its sidebar link with its
  // title and the signatures of its examples.
  let signed = 0
  let hashed = 0
  for (const { title, path, url } of endpoints) {
    const { status } = await fetch(`${origin}${url}`)
    check(status === 200, `${url}: status ${status}`)
    if (!linked.has(url)) continue
    await page.locator(`.VPSidebar a[href="${url}"]`).evaluate((a) => a.click())
    await page.waitForURL(`${origin}${url}`)
    const titled = await page.waitForFunction((title) => document.querySelector('.vp-doc h1')
      ?.textContent.replace(/\u200b/g, '').trim() === title, title).then(() => true, () => false)
    if (!titled) {
      check(false, `${url}: title "${title}" not shown`)
      continue
    }
    const text = await page.locator('.vp-doc').innerText()
    for (const signature of signatures(path)) {
      check(text.includes(signature), `${url}: example signature ${signature.slice(0, 40)} not shown`)
      signed += 1
    }
    // Each shown string to sign hashes to the `pg_sig` shown after it.
    const shown = [...text.matchAll(/String to sign.*\n+text\n(.+)\n+pg_sig = ([0-9a-f]{32})/g)]
    for (const [, string, sig] of shown) {
      check(createHash('md5').update(string).digest('hex') === sig, `${url}: md5(${string}) is not ${sig}`)
      hashed += 1
    }
  }
  check(signed > 0 && hashed > 0, 'no example signature found on the endpoint pages')
  // One page loaded on its own, as a link from elsewhere opens it.
  const initPayment = await page.goto(`${origin}/merchant/page/init_payment.html`)
  check(initPayment.ok() && (await page.locator('.vp-doc').innerText())
    .includes('init_payment.php;25;test;12345;23;molbulak;mysecret'),
  'init_payment: the documented string to sign is not shown')

  // The local search finds an endpoint by its name.
  await page.goto(`${origin}/`)
  await page.locator('.VPNavBarSearch button').click()
  await page.locator('#localsearch-input').fill('Payout to IBAN')
  const hits = page.locator('#localsearch-list a[href*="merchant/payout/payout_iban"]')
  await hits.first().waitFor().catch(() => {})
  check((await hits.count()) > 0, 'search "Payout to IBAN": merchant/payout/payout_iban not found')

  // The API reference renders each family's operations.
  const documents = readdirSync(join(repo, 'docs/openapi')).filter((f) => f.endsWith('.json'))
  check(documents.length > 0, 'docs/openapi: no documents')
  await page.goto(`${origin}/api.html`)
  for (const file of documents) {
    const family = file.replace(/\.json$/, '')
    const spec = JSON.parse(readFileSync(join(repo, 'docs/openapi', file), 'utf8'))
    const operations = (paths = {}) => Object.values(paths).flatMap((item) =>
      Object.keys(item).filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k))).length
    const expected = operations(spec.paths) + operations(spec.webhooks)
    await page.locator(`button[data-family="${family}"]`).click()
    await page.locator('.swagger .info .title').filter({ hasText: spec.info.title }).waitFor()
    const shown = await page.locator('.swagger .opblock').count()
    check(shown === expected, `API reference ${family}: ${shown} operations shown, ${expected} in the document`)
    check(await page.locator('.swagger .errors-wrapper').count() === 0, `API reference ${family}: errors shown`)
  }

  // "Try it out" against the sandbox, with the test merchant the form holds
  // by default: a form operation (pg_sig) and a JSON one (JWS) of the
  // Merchant API, each signed in the page and answered by the sandbox.
  await page.goto(`${origin}/api.html?family=merchant`)
  check(await page.locator('input[name="merchant-id"]').inputValue() === '12345', 'Try it out: merchant id not 12345')
  check(await page.locator('input[name="secret-key"]').getAttribute('type') === 'password',
    'Try it out: the secret key field is no password field')
  await page.locator('.swagger .servers select').selectOption('http://127.0.0.1:{port}')
  await page.locator('.swagger input[data-variable="port"]').fill(new URL(sandbox).port)
  const operation = (path) => page.locator('.swagger .opblock').filter({
    has: page.locator('.opblock-summary-path', { hasText: new RegExp(`^${path.replace(/[./]/g, '\\$&')}$`) }),
  }).first()
  const execute = async (block, path) => {
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${sandbox}${path}` && r.request().method() === 'POST'),
      block.locator('.execute').click(),
    ])
    const request = response.request()
    const sent = `${request.url()} ${JSON.stringify(await request.allHeaders())} ${request.postData()}`
    check(!sent.includes('mysecret'), `Try it out ${path}: the secret key was sent`)
    return { response, request, body: await response.text() }
  }

  const init = operation('/init_payment.php')
  await init.locator('.opblock-summary').click()
  await init.locator('.try-out__btn').click()
  await init.locator('.opblock-section-request-body .examples-select-element').selectOption('init_payment.overview')
  const form = await execute(init, '/init_payment.php')
  check(form.response.status() === 200 && form.body.includes('<pg_status>ok</pg_status>')
    && form.body.includes(`<pg_redirect_url>${sandbox}/`),
  `Try it out init_payment.php: the sandbox answered ${form.response.status()} ${form.body}`)
  check(!(form.request.postData() ?? '').includes('pg_sig=d29e3609b7c465c419f7642722df091c'),
    'Try it out init_payment.php: sent with the example\'s pg_sig')
  await page.waitForFunction(() => document.querySelector('.swagger .live-responses-table')
    ?.textContent.includes('pg_redirect_url')).catch(() => check(false, 'Try it out init_payment.php: answer not shown'))
  // Another key: the same request is refused for its signature.
  await page.locator('input[name="secret-key"]').fill('not-the-key')
  const refused = await execute(init, '/init_payment.php')
  check(refused.body.includes('<pg_error_code>1100</pg_error_code>'),
    `Try it out init_payment.php with another key: not refused with 1100: ${refused.body}`)
  await page.locator('input[name="secret-key"]').fill('mysecret')

  const invoice = operation('/v5/merchant/invoice/init')
  await invoice.locator('.opblock-summary').click()
  await invoice.locator('.try-out__btn').click()
  await invoice.locator('tr[data-param-name="X-Request-Id"] input').fill(randomUUID())
  const json = await execute(invoice, '/v5/merchant/invoice/init')
  check(json.response.ok() && (await json.request.headerValue('x-jws-signature'))?.includes('..'),
    `Try it out invoice/init: the sandbox answered ${json.response.status()} ${json.body}`)

  check(errors.length === 0, `console errors:\n  ${errors.join('\n  ')}`)
} finally {
  await browser.close()
  server.close()
  sandboxProcess.kill()
  rmSync(profile, { recursive: true, force: true })
}

if (failures.length) {
  console.error(`docs site: ${failures.length} failures\n${failures.join('\n')}`)
  process.exit(1)
}
const seconds = ((Date.now() - started) / 1000).toFixed(1)
console.log(`docs site: ${endpoints.length} endpoint pages, search, API reference and Try it out pass (${seconds} s)`)
