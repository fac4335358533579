// The browser's signing (.vitepress/theme/signing.js) against the documented
// vectors, the ones .ci/schemathesis/hooks.py checks its own signing with.
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { jws, pgSig, signForm, signRequest, stringToSign, tree } from './.vitepress/theme/signing.js'

const md5hex = (text) => createHash('md5').update(text).digest('hex')

// init_payment's documented example.
const simple = [['pg_order_id', '23'], ['pg_merchant_id', '12345'], ['pg_amount', '25'],
  ['pg_description', 'test'], ['pg_salt', 'molbulak']]
assert.equal(stringToSign('init_payment.php', simple, 'mysecret'),
  'init_payment.php;25;test;12345;23;molbulak;mysecret')
assert.equal(pgSig('init_payment.php', simple, 'mysecret'), '02a4d571f7ac768f3e7e51e1b4afa122')

// The reference implementation's nested example, from a form's bracketed names.
const nested = tree([['pg_salt', '9imM909TH820jwk387'], ['pg_t_param', 'value3'], ['pg_a_param', 'value1'],
  ['pg_z_param[pg_q_subparam]', 'subvalue2'], ['pg_z_param[pg_m_subparam]', 'subvalue1'], ['pg_b_param', 'value2']])
assert.deepEqual(nested[3], ['pg_z_param', [['pg_q_subparam', 'subvalue2'], ['pg_m_subparam', 'subvalue1']]])
assert.equal(pgSig('script.php', nested, 'mypasskey'), 'a8a4d5a9188f24038a14a4d65c387bf7')

// A form signed for sending: the merchant's id in its place, the salt kept,
// a stale pg_sig replaced, last (where it counts in the positions).
const signed = signForm('init_payment.php', [['pg_order_id', '23'], ['pg_merchant_id', '1'], ['pg_sig', 'stale'],
  ['pg_amount', '25'], ['pg_description', 'test'], ['pg_salt', 'molbulak']], '12345', 'mysecret')
assert.deepEqual(signed, [...simple, ['pg_sig', '02a4d571f7ac768f3e7e51e1b4afa122']])
const salted = signForm('get_status3.php', [['pg_payment_id', '7']], '12345', 'mysecret', 'salt')
assert.deepEqual(salted.map(([k]) => k), ['pg_merchant_id', 'pg_payment_id', 'pg_salt', 'pg_sig'])
assert.equal(salted[3][1], pgSig('get_status3.php', salted.slice(0, 3), 'mysecret'))

// The Card API's documented JWS.
const signature = await jws('/v5/card-api/request/status', 'POST', 'HS512',
  '{"request_id":"828cf71d-a447-4a67-a149-c1df8bc197ca"}', 'secret', '123456')
assert.ok(signature.endsWith('..f1sQoeIpX_ZjOaykQzSeylvvKaVrEQV4gNM2ACFbEMkFDUV9Zk5WO1yQGEWez-vnQMVHodLBDVEyh5Xm2-3MjQ'),
  signature)

// Swagger UI's requests, signed by their operation's scheme.
const document = {
  paths: {
    '/init_payment.php': { post: { security: [{ pgSig: [] }] } },
    '/v1/merchant/{merchant_id}/card/pay': { get: { security: [{ pgSig: [] }], 'x-freedompay-script': 'pay' } },
    '/v5/card-api/request/status': { post: { security: [{ jwsHs512: [] }] } },
    '/api/v1/oauth/token': { post: { security: [{ freedomIdBasic: [] }] } },
  },
}
const form = await signRequest({
  url: 'http://127.0.0.1:8080/init_payment.php', method: 'POST', headers: {},
  body: 'pg_order_id=23&pg_merchant_id=12345&pg_amount=25&pg_description=test&pg_salt=molbulak&pg_sig=stale',
}, document, { merchantId: '12345', secretKey: 'mysecret' })
assert.equal(form.body, 'pg_order_id=23&pg_merchant_id=12345&pg_amount=25&pg_description=test&pg_salt=molbulak'
  + '&pg_sig=02a4d571f7ac768f3e7e51e1b4afa122')
assert.equal(form.headers['Content-Type'], 'application/x-www-form-urlencoded')
const nestedForm = await signRequest({
  url: 'http://127.0.0.1:8080/init_payment.php', method: 'POST', headers: {},
  body: { pg_amount: 25, pg_receipt_positions: [{ count: 1, name: 'Ticket' }], pg_salt: 's' },
}, document, { merchantId: '12345', secretKey: 'mysecret' })
const sent = [...new URLSearchParams(nestedForm.body)]
assert.deepEqual(sent.map(([k]) => k), ['pg_merchant_id', 'pg_amount', 'pg_receipt_positions[0][count]',
  'pg_receipt_positions[0][name]', 'pg_salt', 'pg_sig'])
assert.equal(stringToSign('init_payment.php', tree(sent), 'mysecret'), 'init_payment.php;25;12345;1;Ticket;s;mysecret')
assert.equal(sent[5][1], md5hex('init_payment.php;25;12345;1;Ticket;s;mysecret'))
const query = await signRequest({ url: 'http://127.0.0.1:8080/v1/merchant/12345/card/pay?pg_card_token=t', method: 'GET' },
  document, { merchantId: '12345', secretKey: 'mysecret' })
const queried = [...new URL(query.url).searchParams]
assert.deepEqual(queried.slice(0, 2), [['pg_merchant_id', '12345'], ['pg_card_token', 't']])
assert.equal(queried[3][1], md5hex(`pay;t;12345;${queried[2][1]};mysecret`))
const json = await signRequest({
  url: 'http://127.0.0.1:8080/v5/card-api/request/status', method: 'POST', headers: {},
  body: '{"request_id":"828cf71d-a447-4a67-a149-c1df8bc197ca"}',
}, document, { merchantId: '123456', secretKey: 'secret' })
assert.equal(json.headers['X-JWS-Signature'], signature)
assert.match(json.headers['X-Request-Id'], /^[0-9a-f-]{36}$/)
const basic = await signRequest({ url: 'http://127.0.0.1:8080/api/v1/oauth/token', method: 'POST', headers: {}, body: '{}' },
  document, { merchantId: '12345', secretKey: 'mysecret' })
assert.equal(basic.headers.Authorization, `Basic ${Buffer.from('12345:mysecret').toString('base64')}`)
const untouched = { url: 'http://127.0.0.1:4173/assets/merchant.json', method: 'GET', headers: {} }
assert.deepEqual(await signRequest({ ...untouched }, document, { merchantId: '1', secretKey: 'k' }), untouched)

console.log('signing: the documented pg_sig and JWS vectors pass')
