// The browser's signing (.vitepress/theme/signing.js) against the documented
// vectors, the ones .ci/schemathesis/hooks.py checks its own signing with.
import assert from 'node:assert/strict'
import { jws, pgSig, signForm, stringToSign, tree } from './.vitepress/theme/signing.js'

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

console.log('signing: the documented pg_sig and JWS vectors pass')
