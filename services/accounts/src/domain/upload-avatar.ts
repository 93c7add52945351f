import { createHash } from 'node:crypto';
import { notFound, unsupportedMediaType } from '@parley/kit';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { saveAvatar, type UserRow } from '../db/user.repository.ts';
import type { AccountsContext } from './context.ts';
import { events } from './events.ts';
import { recordActivity } from './record-activity.ts';
import { avatarUrlOf } from '../presenters/user.presenter.ts';
import { invalidateUser } from './user-cache.ts';

const ACCEPTED = new Set(['image/png', 'image/jpeg', 'image/webp']);
export const AVATAR_SIZE = 256;

/**
 * Stores a new avatar. The type comes from the bytes, never from the declared content type
 * or name; the image is re-encoded (which also drops metadata and anything smuggled in it).
 */
export async function uploadAvatar(ctx: AccountsContext, userId: string, bytes: Buffer): Promise<UserRow> {
  const sniffed = await fileTypeFromBuffer(bytes);
  if (!sniffed || !ACCEPTED.has(sniffed.mime)) {
    throw unsupportedMediaType('The avatar must be a PNG, JPEG or WebP image.');
  }
  let resized: Buffer;
  try {
    resized = await sharp(bytes, { limitInputPixels: 50_000_000 }).rotate().resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover' }).webp({ quality: 82 }).toBuffer();
  } catch {
    throw unsupportedMediaType('The avatar could not be read as an image.');
  }
  const version = createHash('sha256').update(resized).digest('hex').slice(0, 16);
  const user = await events.transaction(ctx, async (tx, emit) => {
    const updated = await saveAvatar(tx, userId, { contentType: 'image/webp', bytes: resized, version });
    if (!updated) throw notFound('user');
    emit('user.updated', { userId, changes: { avatarUrl: avatarUrlOf(updated) } });
    return updated;
  });
  await invalidateUser(ctx.cache, userId);
  await recordActivity(ctx, userId, 'avatar_updated');
  return user;
}
