// tests/test_auth.py (apps with `auth`) and tests/test_health.py: register,
// duplicate registration, login, bad credentials, me, password change; the
// health and readiness probes.
import type { Program } from '../../ir/schema.js';
import { factoryName, payloadName } from './common.js';
import { TestFile } from './entity.js';
import { str } from './python.js';
import { Model } from './world.js';

export function generateHealthTests(): TestFile {
  const file = new TestFile();
  file.test('health', 'The liveness probe needs no sign-in.', (w) => {
    w.line('response = await client.get(f"{API}/health")');
    w.line('assert response.status_code == 200, response.text');
  });
  file.test('ready', 'The readiness probe reaches the database.', (w) => {
    w.line('response = await client.get(f"{API}/ready")');
    w.line('assert response.status_code == 200, response.text');
  });
  return file;
}

export function generateAuthTests(program: Program): TestFile | undefined {
  const model = Model.of(program);
  const user = model.userEntity;
  const auth = program.app.auth;
  if (!user || !auth) return undefined;
  const login = user.fields.find((f) => f.name === auth.login);
  if (!login?.column) return undefined;
  const loginKey = str(login.apiName);
  const make = factoryName(user.name);
  const payload = payloadName(user.name);
  const file = new TestFile();
  const readonlyBools = user.fields.filter(
    (f) => f.readonly && f.type.kind === 'scalar' && f.type.scalar === 'bool' && !f.primaryKey,
  );
  const privateKeys = user.fields.filter((f) => f.private).map((f) => f.apiName);

  file.test('register', 'Registration answers 201 with the user, never its password.', (w) => {
    w.line(`payload = await ${payload}()`);
    for (const f of readonlyBools) w.line(`payload[${str(f.apiName)}] = True`);
    w.line('response = await client.post(f"{API}/auth/register", json=payload)');
    w.line('assert response.status_code == 201, response.text');
    w.line('body = response.json()');
    w.line(`assert body[${loginKey}] == payload[${loginKey}]`);
    w.line('assert "password" not in body');
    for (const k of privateKeys) w.line(`assert ${str(k)} not in body`);
    for (const f of readonlyBools) w.line(`assert body[${str(f.apiName)}] is False`);
  });
  file.test('register_twice_is_409', 'A second registration with the same login is a 409.', (w) => {
    w.line(`payload = await ${payload}()`);
    w.line('first = await client.post(f"{API}/auth/register", json=payload)');
    w.line('assert first.status_code == 201, first.text');
    w.line('second = await client.post(f"{API}/auth/register", json=payload)');
    w.line('assert second.status_code == 409, second.text');
  });
  file.test('register_without_password_is_422', 'Registration needs a password.', (w) => {
    w.line(`payload = await ${payload}()`);
    w.line('del payload["password"]');
    w.line('response = await client.post(f"{API}/auth/register", json=payload)');
    w.line('assert response.status_code == 422, response.text');
  });
  file.test('login_and_me', 'Login answers a bearer token that /auth/me accepts.', (w) => {
    w.line(`user = await ${make}()`);
    w.line(`form = {"username": user[${str(login.column!)}], "password": PASSWORD}`);
    w.line('response = await client.post(f"{API}/auth/login", data=form)');
    w.line('assert response.status_code == 200, response.text');
    w.line('token = response.json()');
    w.line('assert token["token_type"] == "bearer"');
    w.line('headers = {"Authorization": f"Bearer {token[\'access_token\']}"}');
    w.line('me = await client.get(f"{API}/auth/me", headers=headers)');
    w.line('assert me.status_code == 200, me.text');
    w.line('assert me.json()["id"] == str(user["id"])');
    w.line(`assert me.json()[${loginKey}] == user[${str(login.column!)}]`);
    for (const k of privateKeys) w.line(`assert ${str(k)} not in me.json()`);
  });
  file.test('login_with_a_wrong_password_is_401', 'Bad credentials are a 401.', (w) => {
    w.line(`user = await ${make}()`);
    w.line(`form = {"username": user[${str(login.column!)}], "password": "wrong-password"}`);
    w.line('response = await client.post(f"{API}/auth/login", data=form)');
    w.line('assert response.status_code == 401, response.text');
    w.line('nobody = {"username": "nobody@example.com", "password": PASSWORD}');
    w.line('unknown = await client.post(f"{API}/auth/login", data=nobody)');
    w.line('assert unknown.status_code == 401, unknown.text');
  });
  file.test('me_needs_sign_in', '/auth/me without a token is a 401.', (w) => {
    w.line('response = await client.get(f"{API}/auth/me")');
    w.line('assert response.status_code == 401, response.text');
  });
  file.test('change_password', 'The password changes; the old one stops working.', (w) => {
    w.line(`user = await ${make}()`);
    w.line('change = {"currentPassword": PASSWORD, "newPassword": "Another-secret-7"}');
    w.line('response = await client.post(f"{API}/auth/password", json=change, headers=auth(user))');
    w.line('assert response.status_code in (200, 204), response.text');
    w.line(`old = {"username": user[${str(login.column!)}], "password": PASSWORD}`);
    w.line('refused = await client.post(f"{API}/auth/login", data=old)');
    w.line('assert refused.status_code == 401, refused.text');
    w.line(`new = {"username": user[${str(login.column!)}], "password": "Another-secret-7"}`);
    w.line('accepted = await client.post(f"{API}/auth/login", data=new)');
    w.line('assert accepted.status_code == 200, accepted.text');
  });
  file.test(
    'change_password_needs_the_current_one',
    'A wrong current password is refused.',
    (w) => {
      w.line(`user = await ${make}()`);
      w.line('change = {"currentPassword": "wrong-password", "newPassword": "Another-secret-7"}');
      w.line(
        'response = await client.post(f"{API}/auth/password", json=change, headers=auth(user))',
      );
      w.line('assert response.status_code in (400, 401, 403, 422), response.text');
    },
  );
  return file;
}
