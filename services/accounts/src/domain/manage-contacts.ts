import { badRequest, notFound } from '@parley/kit';
import { addContact as addContactRow, removeContact as removeContactRow } from '../db/contact.repository.ts';
import type { UserRow } from '../db/user.repository.ts';
import { invalidateContactOf } from './contact-of.ts';
import type { AccountsContext } from './context.ts';
import { emit } from './events.ts';
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
  const added = await ctx.db.transaction(async (tx) => {
    const inserted = await addContactRow(tx, userId, contactId);
    if (inserted) await emit(tx, 'contact.added', { userId, contactId });
    return inserted;
  });
  await Promise.all([invalidateContacts(ctx.cache, userId), invalidateContactOf(ctx.cache, contactId)]);
  if (added) ctx.outbox.notify();
  return contact;
}

export async function removeContact(ctx: AccountsContext, userId: string, contactId: string): Promise<void> {
  const removed = await ctx.db.transaction(async (tx) => {
    const deleted = await removeContactRow(tx, userId, contactId);
    if (deleted) await emit(tx, 'contact.removed', { userId, contactId });
    return deleted;
  });
  if (!removed) throw notFound('contact');
  await Promise.all([invalidateContacts(ctx.cache, userId), invalidateContactOf(ctx.cache, contactId)]);
  ctx.outbox.notify();
}
