import { apiFor, registerUser, startAccounts } from './harness.ts';
const h = await startAccounts('embedded', { LOG_LEVEL: 'error' });
const api = apiFor(h.baseUrl);
const show = (label: string, r: { status: number; headers: Headers; body: unknown }) =>
  console.log('>>>', label, r.status, String(JSON.stringify(r.body)).slice(0, 200));
try {
  const a = await registerUser(api);
  show('avatar-badmultipart', await api('PUT', '/api/v1/users/me/avatar', { token: a.accessToken, raw: 'garbage', headers: { 'content-type': 'multipart/form-data; boundary=xyz' } }));
  show('avatar-noboundary', await api('PUT', '/api/v1/users/me/avatar', { token: a.accessToken, raw: 'garbage', headers: { 'content-type': 'multipart/form-data' } }));
  show('avatar-truncated-mp', await api('PUT', '/api/v1/users/me/avatar', { token: a.accessToken, raw: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nabc', headers: { 'content-type': 'multipart/form-data; boundary=xyz' } }));
  show('nul-display', await api('PATCH', '/api/v1/users/me', { token: a.accessToken, body: { displayName: 'a\u0000b' } }));
  show('nul-bio', await api('PATCH', '/api/v1/users/me', { token: a.accessToken, body: { bio: 'a\u0000b' } }));
  show('nul-status', await api('PUT', '/api/v1/users/me/status', { token: a.accessToken, body: { status: 'dnd', text: 'a\u0000b' } }));
  show('nul-login', await api('POST', '/api/v1/auth/login', { body: { login: 'a\u0000b', password: 'whatever1' } }));
  show('nul-register-display', await api('POST', '/api/v1/auth/register', { body: { username: 'nul_user', email: 'nul@x.test', password: 'whatever1', displayName: 'x\u0000' } }));
  show('nul-register-email', await api('POST', '/api/v1/auth/register', { body: { username: 'nul_user2', email: 'n\u0000ul@x.test', password: 'whatever1' } }));
  show('nul-password', await api('POST', '/api/v1/auth/register', { body: { username: 'nul_user3', email: 'nul3@x.test', password: 'what\u0000ever1' } }));
  show('lone-surrogate', await api('PATCH', '/api/v1/users/me', { token: a.accessToken, body: { bio: 'a\ud800b' } }));
  for (let i = 0; i < 3; i++) show('fail-u', await api('POST', '/api/v1/auth/login', { body: { login: a.input.username, password: 'wrong password' } }));
  for (let i = 0; i < 2; i++) show('fail-e', await api('POST', '/api/v1/auth/login', { body: { login: a.input.email, password: 'wrong password' } }));
  const r = await api('POST', '/api/v1/auth/login', { body: { login: a.input.username, password: a.input.password } });
  show('after 5 mixed', r); console.log(r.headers.get('retry-after'));
  const r2 = await api('POST', '/api/v1/auth/login', { body: { login: ` ${a.input.username.toUpperCase()} `, password: 'wrong password' } });
  show('upper', r2);
} finally {
  await h.stop();
}
