import type { Api } from './http-client.ts';

export interface RegistrationInput {
  username: string;
  email: string;
  password: string;
  /** Left out of the request when undefined (accounts then shows the username). */
  displayName?: string | undefined;
}

/** The password buildUser gives every user unless told otherwise. */
export const TEST_PASSWORD = 'correct horse battery';

let counter = 0;
/** A fresh, valid registration body, unique within the run (the process id keeps parallel files apart). */
export function buildUser(overrides: Partial<RegistrationInput> = {}): RegistrationInput {
  counter += 1;
  const tag = `${Date.now().toString(36)}${process.pid.toString(36)}${counter}`;
  return {
    username: `user_${tag}`,
    email: `user_${tag}@example.test`,
    password: TEST_PASSWORD,
    displayName: `User ${tag}`,
    ...overrides,
  };
}

/** The answer of register, login and refresh. */
export interface SignedIn {
  user: { id: string; username: string; email: string; displayName: string };
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  sessionId: string;
}

/** A user registered by a test: the session it got, and what it registered with. */
export type Registered = SignedIn & { input: RegistrationInput };

/** Registers a fresh user through accounts' API (`api` points at accounts or the platform); throws unless it answers 201. */
export async function registerUser(api: Api, overrides: Partial<RegistrationInput> = {}): Promise<Registered> {
  const input = buildUser(overrides);
  const res = await api('POST', '/api/v1/auth/register', { body: input });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { input, ...(res.body as SignedIn) };
}

/** Signs in (a new session); throws unless it answers 200. */
export async function logIn(api: Api, login: string, password: string): Promise<SignedIn> {
  const res = await api('POST', '/api/v1/auth/login', { body: { login, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as SignedIn;
}

/** A registered user as stack tests hold it: its id and name, and a session. */
export interface TestUser {
  id: string;
  username: string;
  /** An access token (Bearer). */
  token: string;
  sessionId: string;
  refreshToken: string;
}

/** A fresh user through accounts' API, as stack tests hold it. */
export async function registerTestUser(api: Api): Promise<TestUser> {
  const registered = await registerUser(api);
  return {
    id: registered.user.id,
    username: registered.user.username,
    token: registered.accessToken,
    sessionId: registered.sessionId,
    refreshToken: registered.refreshToken,
  };
}
