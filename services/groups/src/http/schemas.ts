import { storableText } from '@parley/kit';
import { groupRoleSchema } from '@parley/contracts';
import { z } from 'zod';

/** Free text PostgreSQL can store (kit's storable-text rule, which also guards every other input). */
const text = storableText;

/** A UUID in any case, handed on in lower case (as PostgreSQL prints it and events carry it). */
const uuid = () => z.uuid().transform((id) => id.toLowerCase());

/** Most ids one call may name. */
export const MAX_IDS = 1000;

export const groupNameSchema = text().trim().min(1).max(100);
/** Empty (after trimming) or null clears the description. */
export const descriptionSchema = text().trim().max(1000).nullable();
const userIdList = z.array(uuid()).max(MAX_IDS);

export const groupParams = z.object({ id: uuid() });
export const memberParams = z.object({ id: uuid(), userId: uuid() });
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
});

export const createGroupBody = z.object({
  name: groupNameSchema,
  description: descriptionSchema.optional(),
  /** Users to add as members besides the caller (who is the owner). */
  memberIds: userIdList.optional(),
});
export const updateGroupBody = z
  .object({ name: groupNameSchema.optional(), description: descriptionSchema.optional() })
  .refine((body) => body.name !== undefined || body.description !== undefined, { message: 'name at least one of name, description' });
export const addMembersBody = z.object({ userIds: userIdList.min(1) });
export const memberRoleBody = z.object({ role: groupRoleSchema });

export const groupSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  ownerId: z.string(),
  memberCount: z.number(),
  myRole: groupRoleSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const memberSchema = z.object({ userId: z.string(), role: groupRoleSchema, joinedAt: z.string() });
export const groupPage = z.object({ items: z.array(groupSchema), nextCursor: z.string().nullable() });
export const memberPage = z.object({ items: z.array(memberSchema), nextCursor: z.string().nullable() });
export const addedMembers = z.object({ items: z.array(memberSchema) });
