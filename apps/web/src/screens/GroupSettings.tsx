import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import type { GroupMember, GroupRole } from '../api/types';
import { useServices } from '../app/session';
import { Confirm } from '../ui/Dialog';
import { Avatar, nameOf, useUser } from '../ui/people';
import { useGroupMembers } from './conversation-info';
import { UserSearch } from './UserSearch';
import { field } from '../lib/form';
import { Icon } from '../ui/icons';

/** A group's settings: name and description, members and roles, leave and delete. (Groups have no avatar in the API.) */
export default function GroupSettings() {
  const { conversationId = '' } = useParams();
  const { t } = useTranslation();
  const client = useQueryClient();
  const navigate = useNavigate();
  const { me } = useServices();
  const [confirm, setConfirm] = useState<'leave' | 'delete' | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const group = useQuery({ queryKey: keys.group(conversationId), queryFn: () => ok(api.GET('/api/v1/groups/{id}', { params: { path: { id: conversationId } } })) });
  const members = useGroupMembers(conversationId);
  const refresh = () => {
    void client.invalidateQueries({ queryKey: keys.group(conversationId) });
    void client.invalidateQueries({ queryKey: keys.members(conversationId) });
    void client.invalidateQueries({ queryKey: keys.conversations });
  };
  const onError = (error: Error) => setStatus(t('errors.generic', { detail: error.message }));

  const rename = useMutation({
    mutationFn: (change: { name: string; description: string | null }) =>
      ok(api.PATCH('/api/v1/groups/{id}', { params: { path: { id: conversationId } }, body: change })),
    onSuccess: () => {
      setStatus(t('group.saved'));
      refresh();
    },
    onError,
  });
  const add = useMutation({
    mutationFn: (userId: string) => ok(api.POST('/api/v1/groups/{id}/members', { params: { path: { id: conversationId } }, body: { userIds: [userId] } })),
    onSuccess: refresh,
    onError,
  });
  const leaveOrDelete = async (what: 'leave' | 'delete') => {
    try {
      if (what === 'leave') await ok(api.DELETE('/api/v1/groups/{id}/members/{userId}', { params: { path: { id: conversationId, userId: me.id } } }));
      else await ok(api.DELETE('/api/v1/groups/{id}', { params: { path: { id: conversationId } } }));
      client.removeQueries({ queryKey: keys.timeline(conversationId) });
      await client.invalidateQueries({ queryKey: keys.conversations });
      await navigate('/');
    } catch (failure) {
      onError(failure as Error);
    }
  };

  if (group.error) return <p role="alert">{t('group.gone')}</p>;
  if (!group.data) return <p role="status">{t('app.loading')}</p>;
  const myRole = group.data.myRole;
  const canEdit = myRole === 'owner' || myRole === 'admin';

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const description = field(form, 'description').trim();
    rename.mutate({ name: field(form, 'name').trim(), description: description || null });
  };

  return (
    <section className="page" aria-labelledby="group-settings-title">
      <header className="pane-header">
        <Link to={`/c/${conversationId}`} className="back-link" aria-label={t('app.back')}>
          <Icon name="back" size={22} />
        </Link>
        <h1 id="group-settings-title">{t('group.settings')}</h1>
      </header>
      <form className="stack card" onSubmit={submit}>
        <label>
          {t('group.name')}
          <input name="name" defaultValue={group.data.name} required maxLength={100} disabled={!canEdit} />
        </label>
        <label>
          {t('group.description')}
          <input name="description" defaultValue={group.data.description ?? ''} maxLength={500} disabled={!canEdit} />
        </label>
        {canEdit && (
          <button type="submit" className="primary">
            {t('group.rename')}
          </button>
        )}
        <p role="status" aria-live="polite" className="status-line">
          {status}
        </p>
      </form>
      <h2>
        {t('group.members')} ({members.data?.items.length ?? '…'})
      </h2>
      <ul className="people-list" data-testid="group-members">
        {members.data?.items.map((member) => (
          <MemberRow key={member.userId} member={member} groupId={conversationId} myRole={myRole} onChanged={refresh} onError={onError} />
        ))}
      </ul>
      {canEdit && (
        <section className="card">
          <h2>{t('group.addMembers')}</h2>
          <UserSearch
            exclude={members.data?.items.map((member) => member.userId) ?? []}
            actions={(user) => (
              <button type="button" onClick={() => add.mutate(user.id)} aria-label={`${t('group.add')}: ${nameOf(user)}`}>
                {t('group.add')}
              </button>
            )}
          />
        </section>
      )}
      <div className="row">
        {myRole !== 'owner' && (
          <button type="button" className="danger" onClick={() => setConfirm('leave')}>
            {t('group.leave')}
          </button>
        )}
        {myRole === 'owner' && (
          <button type="button" className="danger" onClick={() => setConfirm('delete')}>
            {t('group.delete')}
          </button>
        )}
      </div>
      {confirm && (
        <Confirm
          question={confirm === 'leave' ? t('group.confirmLeave') : t('group.confirmDelete')}
          confirmLabel={confirm === 'leave' ? t('group.leave') : t('group.delete')}
          onConfirm={() => void leaveOrDelete(confirm)}
          onClose={() => setConfirm(null)}
        />
      )}
    </section>
  );
}

function MemberRow({
  member,
  groupId,
  myRole,
  onChanged,
  onError,
}: {
  member: GroupMember;
  groupId: string;
  myRole: GroupRole;
  onChanged: () => void;
  onError: (error: Error) => void;
}) {
  const { t } = useTranslation();
  const { me } = useServices();
  const { data: user } = useUser(member.userId);
  const name = nameOf(user);
  const setRole = useMutation({
    mutationFn: (role: 'admin' | 'member') =>
      ok(api.PATCH('/api/v1/groups/{id}/members/{userId}', { params: { path: { id: groupId, userId: member.userId } }, body: { role } })),
    onSuccess: onChanged,
    onError,
  });
  const remove = useMutation({
    mutationFn: () => ok(api.DELETE('/api/v1/groups/{id}/members/{userId}', { params: { path: { id: groupId, userId: member.userId } } })),
    onSuccess: onChanged,
    onError,
  });
  const isMe = member.userId === me.id;
  const canRemove = !isMe && member.role !== 'owner' && (myRole === 'owner' || (myRole === 'admin' && member.role === 'member'));
  return (
    <li className="person" data-testid="group-member" data-user-id={member.userId}>
      <Avatar user={user} size={32} />
      <span className="person-name">
        {name} <span className="muted person-role">{t(`group.role.${member.role}`)}</span>
      </span>
      <span className="person-actions">
        {myRole === 'owner' && !isMe && member.role !== 'owner' && (
          <button type="button" onClick={() => setRole.mutate(member.role === 'admin' ? 'member' : 'admin')}>
            {member.role === 'admin' ? t('group.makeMember') : t('group.makeAdmin')}
          </button>
        )}
        {canRemove && (
          <button type="button" className="danger" onClick={() => remove.mutate()} aria-label={t('group.remove', { name })}>
            <Icon name="close" size={16} />
          </button>
        )}
      </span>
    </li>
  );
}
