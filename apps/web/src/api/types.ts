import type { paths } from './schema';

/*
 * Names for the shapes the app uses, read off the generated OpenAPI types so that no payload
 * is written twice. `Json<'/path', 'get'>` is the JSON body of a path's success answer.
 */
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type SuccessOf<R> = R extends { 200: infer A } ? A : R extends { 201: infer A } ? A : never;
export type Json<P extends keyof paths, M extends Method = 'get'> =
  SuccessOf<Op<P, M> extends { responses: infer R } ? R : never> extends { content: { 'application/json': infer B } } ? B : never;

export type AuthAnswer = Json<'/api/v1/auth/login', 'post'>;
export type Me = Json<'/api/v1/users/me'>;
export type PublicUser = Json<'/api/v1/users/{id}'>;
export type Session = Json<'/api/v1/auth/sessions'>['items'][number];
export type Conversation = Json<'/api/v1/conversations'>['items'][number];
export type Message = Json<'/api/v1/conversations/{id}/messages'>['items'][number];
export type Attachment = Message['attachments'][number];
export type UploadedFile = Json<'/api/v1/files', 'post'>;
export type Group = Json<'/api/v1/groups/{id}'>;
export type GroupMember = Json<'/api/v1/groups/{id}/members'>['items'][number];
export type GroupRole = GroupMember['role'];
export type Contact = Json<'/api/v1/contacts'>['items'][number];
export type Notification = Json<'/api/v1/notifications'>['items'][number];
export type SearchHit = Json<'/api/v1/search/messages'>['items'][number];
export type PresenceStatus = Json<'/api/v1/presence'>['items'][number]['status'];
export type MyStatus = Me['status'];
