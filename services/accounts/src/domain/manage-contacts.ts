import { badRequest, notFound } from '@parley/kit';
import { addContact as addContactRow, removeContact as removeContactRow } from '../data/contact.repository.ts';
import type { UserRow } from '../data/user.repository.ts';
import type { AccountsContext } from './context.ts';
import { getContactIds, getUser, getUsers, invalidateContacts } from './user-cache.ts';

export async function listContacts(ctx: Pick<AccountsContext, 'db' | 'cache'>, userId: string): Promise<UserRow[]> {
  return getUsers(ctx, await getContactIds(ctx, userId));
}

/** Idempotent: adding a contact twice keeps one. */
export async function addContact(ctx: AccountsContext, userId: string, contactId: string): Promise<UserRow> {
  if (contactId === userId) throw badRequest('You cannot add yourself as a contact.', { 'params.userId': ['is yourself'] });
  const contact = await getUser(ctx, contactId);
  if (!contact) throw notFound('user');
  await addContactRow(ctx.db, userId, contactId);
  await invalidateContacts(ctx.cache, userId);
  return contact;
}

export async function removeContact(ctx: AccountsContext, userId: string, contactId: string): Promise<void> {
  const removed = await removeContactRow(ctx.db, userId, contactId);
  if (!removed) throw notFound('contact');
  await invalidateContacts(ctx.cache, userId);
}
