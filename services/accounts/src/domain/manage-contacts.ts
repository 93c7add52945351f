import { badRequest, notFound } from '@parley/kit';
import { addContact as addContactRow, removeContact as removeContactRow } from '../db/contact.repository.ts';
import type { UserRow } from '../db/user.repository.ts';
import { invalidateContactOf } from './contact-of.ts';
import type { AccountsContext } from './context.ts';
import { events } from './events.ts';
import { getContactIds, getUser, getUsers, invalidateContacts } from './user-cache.ts';

export async function listContacts(ctx: Pick<AccountsContext, 'db' | 'cache'>, userId: string): Promise<UserRow[]> {
  return getUsers(ctx, await getContactIds(ctx, userId));
}

/** Idempotent: adding a contact twice keeps one. */
export async function addContact(ctx: AccountsContext, userId: string, contactId: string): Promise<UserRow> {
  if (contactId === userId) throw badRequest('You cannot add yourself as a contact.', { 'params.userId': ['is yourself'] });
  const contact = await getUser(ctx, contactId);
  if (!contact) throw notFound('user');
  // The event lets notifications drop its copy of who watches contactId's presence.
  await events.transaction(ctx, async (tx, emit) => {
    if (await addContactRow(tx, userId, contactId)) emit('contact.added', { userId, contactId });
  });
  await Promise.all([invalidateContacts(ctx.cache, userId), invalidateContactOf(ctx.cache, contactId)]);
  return contact;
}

export async function removeContact(ctx: AccountsContext, userId: string, contactId: string): Promise<void> {
  const removed = await events.transaction(ctx, async (tx, emit) => {
    const deleted = await removeContactRow(tx, userId, contactId);
    if (deleted) emit('contact.removed', { userId, contactId });
    return deleted;
  });
  if (!removed) throw notFound('contact');
  await Promise.all([invalidateContacts(ctx.cache, userId), invalidateContactOf(ctx.cache, contactId)]);
}
