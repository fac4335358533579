// Signs the API reference's "Try it out" requests in the browser, as a
// merchant's client signs them (README, "The signature"):
//
// * `pg_sig` (form bodies and query strings): the lowercase hex MD5 of the
//   script name, every value in sort-key order and the secret key, joined
//   with `;`. A value's sort key is its name and its 1-based position among
//   its siblings as three digits; a nested value (`a[b][c]=v`) is walked with
//   its sort key as the parent key; keys are compared by their UTF-8 bytes;
//   `pg_sig` never takes part but counts in the positions.
// * the detached JWS of a JSON body (`X-JWS-Signature: header..signature`),
//   HMAC-SHA-256 or -512 over `base64url(header).base64url(body as sent)`.
//
// The key is only ever handed to the HMAC and the MD5 input: it is neither
// logged, stored nor sent. HMAC is WebCrypto's (browsers and Node 20).
import md5 from 'js-md5'

const utf8 = new TextEncoder()

// --- pg_sig ----------------------------------------------------------------

// A form's `(name, value)` pairs as the gateway's parameter tree, as PHP's
// parse_str reads bracketed names: `[name, value]` pairs where a value is
// text or a list of pairs. `a[]` appends at the next integer index.
export function tree(pairs) {
  const root = []
  for (const [name, value] of pairs) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name)
    const path = match
      ? [match[1], ...[...match[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1])]
      : [name]
    let node = root
    path.forEach((segment, depth) => {
      let key = segment
      if (key === '' && depth > 0) {
        const numbers = node.map(([k]) => k).filter((k) => /^\d+$/.test(k)).map(Number)
        key = String(numbers.length ? Math.max(...numbers) + 1 : 0)
      }
      const last = depth === path.length - 1
      const at = node.findIndex(([k]) => k === key)
      if (last) {
        if (at >= 0) node[at][1] = value
        else node.push([key, value])
      } else {
        if (at >= 0 && Array.isArray(node[at][1])) {
          node = node[at][1]
        } else {
          const child = []
          if (at >= 0) node[at][1] = child
          else node.push([key, child])
          node = child
        }
      }
    })
  }
  return root
}

// The values by sort key, as the gateway's PHP flattens them: a text value
// does not replace an existing key, a nested one does.
function flatten(pairs, parent) {
  const out = new Map()
  pairs.forEach(([name, value], index) => {
    if (name === 'pg_sig') return
    const key = `${parent}${name}${String(index + 1).padStart(3, '0')}`
    if (Array.isArray(value)) {
      for (const [k, v] of flatten(value, key)) out.set(k, v)
    } else if (!out.has(key)) {
      out.set(key, value)
    }
  })
  return out
}

function compareBytes(a, b) {
  const x = utf8.encode(a)
  const y = utf8.encode(b)
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    if (x[i] !== y[i]) return x[i] - y[i]
  }
  return x.length - y.length
}

// The string to sign of a parameter tree (`[name, value]` pairs, nested
// lists for bracketed names).
export function stringToSign(script, pairs, secret) {
  const flat = flatten(pairs, '')
  const values = [...flat.keys()].sort(compareBytes).map((key) => flat.get(key))
  return [script, ...values, secret].join(';')
}

export function pgSig(script, pairs, secret) {
  return md5(stringToSign(script, pairs, secret))
}

function randomSalt() {
  const bytes = crypto.getRandomValues(new Uint8Array(8))
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
}

// A form's pairs (bracketed names, in order) signed for `script`:
// `pg_merchant_id` set (in its place, else first), `pg_salt` added when
// missing, any `pg_sig` replaced by the signature, last.
export function signForm(script, pairs, merchantId, secret, salt = randomSalt()) {
  let fields = pairs.filter(([name]) => name !== 'pg_sig')
  if (fields.some(([name]) => name === 'pg_merchant_id')) {
    fields = fields.map(([name, value]) => [name, name === 'pg_merchant_id' ? merchantId : value])
  } else {
    fields = [['pg_merchant_id', merchantId], ...fields]
  }
  if (!fields.some(([name]) => name === 'pg_salt')) fields.push(['pg_salt', salt])
  // pg_sig counts in the positions: it is signed where it is sent, last.
  const signed = [...fields, ['pg_sig', '']]
  return [...fields, ['pg_sig', pgSig(script, tree(signed), secret)]]
}

// --- JWS -------------------------------------------------------------------

function base64(bytes) {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary)
}

function base64url(bytes) {
  return base64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

const HASHES = { HS256: 'SHA-256', HS512: 'SHA-512' }

// The detached JWS of `body` (the text exactly as sent) for the endpoint at
// `uri` (its path) called with `method`.
export async function jws(uri, method, alg, body, secret, authId) {
  const header = JSON.stringify({ uri, auth_id: authId, method, params: '', alg })
  const input = `${base64url(utf8.encode(header))}.${base64url(utf8.encode(body))}`
  const key = await crypto.subtle.importKey(
    'raw', utf8.encode(secret), { name: 'HMAC', hash: HASHES[alg] }, false, ['sign'])
  const tag = new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8.encode(input)))
  return `${base64url(utf8.encode(header))}..${base64url(tag)}`
}

// --- a Swagger UI request --------------------------------------------------

const METHODS = ['get', 'post', 'put', 'delete', 'patch']

// The OpenAPI operation a request URL and method are: `{ path, operation }`.
export function findOperation(document, url, method) {
  const pathname = new URL(url, 'http://x').pathname
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const operation = item[method.toLowerCase()]
    if (!operation || !METHODS.includes(method.toLowerCase())) continue
    const pattern = path.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    if (new RegExp(`^${pattern.join('[^/]+')}$`).test(pathname)) return { path, operation }
  }
  return null
}

function schemes(document, operation) {
  return new Set((operation.security ?? document.security ?? []).flatMap((r) => Object.keys(r)))
}

// A value as a form carries it.
function formText(value) {
  if (value == null) return ''
  if (typeof value === 'boolean') return value ? '1' : '0'
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

// An object's members as form fields in bracket notation
// (`pg_receipt_positions[0][count]`), in order.
function bracketPairs(value, prefix = null) {
  return Object.entries(value).flatMap(([name, child]) => {
    const key = prefix === null ? name : `${prefix}[${name}]`
    return child !== null && typeof child === 'object' ? bracketPairs(child, key) : [[key, formText(child)]]
  })
}

function formPairs(text) {
  return [...new URLSearchParams(text)]
}

function encodeForm(pairs) {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')
}

function setHeader(headers, name, value) {
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name.toLowerCase()) delete headers[key]
  }
  headers[name] = value
}

// Signs `request` (Swagger UI's: `url`, `method`, `headers`, `body`) in
// place by its operation's security scheme in `document`, with the merchant
// id and secret key; a request of no operation (the document itself) is
// left as it is.
export async function signRequest(request, document, { merchantId, secretKey }) {
  const found = findOperation(document, request.url, request.method ?? 'GET')
  if (!found) return request
  const { path, operation } = found
  const used = schemes(document, operation)
  const method = (request.method ?? 'GET').toUpperCase()
  request.headers ??= {}
  if (used.has('pgSig')) {
    const script = operation['x-freedompay-script'] ?? path.replace(/\/+$/, '').split('/').pop()
    if (method === 'GET') {
      const url = new URL(request.url)
      url.search = encodeForm(signForm(script, formPairs(url.search), merchantId, secretKey))
      request.url = url.toString()
    } else if (typeof FormData !== 'undefined' && request.body instanceof FormData) {
      const pairs = [...request.body].filter(([, v]) => typeof v === 'string')
      const body = new FormData()
      for (const [k, v] of signForm(script, pairs, merchantId, secretKey)) body.append(k, v)
      request.body = body
    } else {
      const text = typeof request.body === 'string' ? request.body
        : request.body && typeof request.body === 'object' ? encodeForm(bracketPairs(request.body))
          : ''
      request.body = encodeForm(signForm(script, formPairs(text), merchantId, secretKey))
      setHeader(request.headers, 'Content-Type', 'application/x-www-form-urlencoded')
    }
  } else if (used.has('jwsHs256') || used.has('jwsHs512')) {
    const alg = used.has('jwsHs512') ? 'HS512' : 'HS256'
    const body = typeof request.body === 'string' ? request.body
      : request.body == null ? '' : JSON.stringify(request.body)
    request.body = body
    setHeader(request.headers, 'Content-Type', 'application/json')
    setHeader(request.headers, 'X-JWS-Signature', await jws(path, method, alg, body, secretKey, merchantId))
    // A request id typed in is kept (a repeated one gets the first answer).
    const typed = Object.keys(request.headers).find((k) => k.toLowerCase() === 'x-request-id')
    if (!typed || !String(request.headers[typed]).trim()) {
      setHeader(request.headers, 'X-Request-Id', crypto.randomUUID())
    }
  } else if (used.has('freedomIdBasic')) {
    setHeader(request.headers, 'Authorization', `Basic ${base64(utf8.encode(`${merchantId}:${secretKey}`))}`)
  }
  return request
}
