import type { Api } from './http-client.ts';
import { uniqueName } from './infra.ts';
import type { TestUser } from './users.ts';

// Fixtures over the public API of groups and messages, for the stacks that start them.

/** A group through the groups API (`stack.groupsApi`); the owner plus members. */
export async function createGroup(stack: { groupsApi: Api }, owner: TestUser, members: TestUser[] = [], name = 'Test group'): Promise<string> {
  const res = await stack.groupsApi('POST', '/api/v1/groups', { token: owner.token, body: { name, memberIds: members.map((m) => m.id) } });
  if (res.status !== 201) throw new Error(`create group failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

let messageCounter = 0;
/** Sends a message through the messages API (`stack.api`) and returns it; throws unless the answer is 201. */
export async function send(
  stack: { api: Api },
  user: TestUser,
  conversationId: string,
  body = `hello ${++messageCounter}`,
  extra: Record<string, unknown> = {},
): Promise<any> {
  const res = await stack.api('POST', `/api/v1/conversations/${conversationId}/messages`, {
    token: user.token,
    body: { body, clientMessageId: uniqueName('c'), ...extra },
  });
  if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The direct conversation of two users (created if needed) through the messages API (`stack.api`); its id. */
export async function openDirect(stack: { api: Api }, user: TestUser, other: TestUser): Promise<string> {
  const res = await stack.api('POST', '/api/v1/conversations/direct', { token: user.token, body: { userId: other.id } });
  if (res.status !== 201 && res.status !== 200) throw new Error(`open direct failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}
