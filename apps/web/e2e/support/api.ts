import { randomUUID } from 'node:crypto';

/** A user made through the API, for scenarios that need people or data before the browser. */
export interface ApiUser {
  id: string;
  username: string;
  password: string;
  displayName: string;
  accessToken: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: ${status} ${body.slice(0, 300)}`);
  }
}

/** A thin JSON client of the public API (the same origin the browser uses). */
export async function api<T = unknown>(baseUrl: string, method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  const text = await response.text();
  if (!response.ok) throw new ApiError(response.status, text, `${method} ${path}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

let counter = 0;
/** A username unique within the run (the platform's DATA_DIR is fresh for each run). */
export const uniqueName = (prefix: string) => `${prefix}${Date.now().toString(36).slice(-4)}${(counter++).toString(36)}`.toLowerCase();

export async function registerUser(baseUrl: string, prefix: string, displayName?: string): Promise<ApiUser> {
  const username = uniqueName(prefix);
  const password = `pw-${randomUUID()}`;
  const shown = displayName ?? username;
  const answer = await api<{ user: { id: string }; accessToken: string }>(baseUrl, 'POST', '/api/v1/auth/register', {
    body: { username, email: `${username}@example.test`, password, displayName: shown },
  });
  return { id: answer.user.id, username, password, displayName: shown, accessToken: answer.accessToken };
}

export async function createGroup(baseUrl: string, owner: ApiUser, name: string, members: ApiUser[]): Promise<{ id: string }> {
  return api(baseUrl, 'POST', '/api/v1/groups', { token: owner.accessToken, body: { name, memberIds: members.map((m) => m.id) } });
}

export interface ApiMessage {
  id: string;
  seq: number;
  body: string;
}

/** Sends a message; `clientMessageId` makes a repeated send (a retry) answer the stored message instead of a second one. */
export async function sendMessage(
  baseUrl: string,
  sender: ApiUser,
  conversationId: string,
  body: string,
  extra: { attachmentIds?: string[]; clientMessageId?: string } = {},
): Promise<ApiMessage> {
  return api(baseUrl, 'POST', `/api/v1/conversations/${conversationId}/messages`, {
    token: sender.accessToken,
    body: { body, clientMessageId: randomUUID(), ...extra },
  });
}

export async function uploadFile(baseUrl: string, user: ApiUser, name: string, contentType: string, bytes: Uint8Array<ArrayBuffer>): Promise<{ id: string }> {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: contentType }), name);
  const response = await fetch(`${baseUrl}/api/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${user.accessToken}` }, body: form });
  const text = await response.text();
  if (!response.ok) throw new ApiError(response.status, text, `upload ${name}`);
  return JSON.parse(text) as { id: string };
}

/** A small valid PNG (a 2×2 image), for uploads whose preview the app shows. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');
