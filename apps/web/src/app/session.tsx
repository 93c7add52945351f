import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, ok } from '../api/client';
import { keys } from '../api/keys';
import { isNetworkError } from '../api/problem';
import type { AuthAnswer, Me, Message } from '../api/types';
import { SignedOutError, tokens } from '../auth/tokens';
import { fillAllGaps } from '../messages/history';
import { Outbox, outboxStoreFor, type OutboxEntry } from '../messages/outbox';
import { applyFrame } from '../realtime/apply-frame';
import { bumpConversation } from '../messages/chat-list';
import { useLive } from '../realtime/live-state';
import { RealtimeClient } from '../realtime/socket';
import { applyLiveMessage } from '../messages/history';
import { unsubscribeFromPush } from '../lib/push';

/*
 * The signed-in session: who the user is, and the two long-lived services that belong to it
 * (the WebSocket and the outbox). Both are made when the user signs in and torn down on sign-out.
 */

export interface Services {
  me: Me;
  realtime: RealtimeClient;
  outbox: Outbox;
  /** The conversation on screen (its new messages are read at once, not counted unread). */
  setViewing: (conversationId: string | null) => void;
}

type AuthState = { kind: 'loading' } | { kind: 'unreachable' } | { kind: 'signedOut' } | { kind: 'signedIn'; me: Me };

interface SessionContext {
  state: AuthState;
  services: Services | null;
  accept: (answer: AuthAnswer) => void;
  signOut: () => Promise<void>;
  retry: () => void;
}

const Context = createContext<SessionContext | null>(null);

export function useSession(): SessionContext {
  const context = useContext(Context);
  if (!context) throw new Error('useSession outside SessionProvider');
  return context;
}

/** The services of the signed-in user; only for screens behind the sign-in gate. */
export function useServices(): Services {
  const { services } = useSession();
  if (!services) throw new Error('useServices while signed out');
  return services;
}

export const sendEntry = (entry: OutboxEntry): Promise<Message> =>
  ok(
    api.POST('/api/v1/conversations/{id}/messages', {
      params: { path: { id: entry.conversationId } },
      body: { body: entry.body, clientMessageId: entry.clientMessageId, replyToId: entry.replyToId, attachmentIds: entry.attachmentIds },
    }),
  );

function createServices(client: QueryClient, me: Me, onSignedOut: () => void): Services & { stop: () => void } {
  let viewing: string | null = null;
  const outbox = new Outbox({
    store: outboxStoreFor(me.id),
    senderId: me.id,
    send: sendEntry,
    onSent: (_entry, message) => {
      applyLiveMessage(client, message);
      bumpConversation(client, message, false);
    },
    locks: globalThis.navigator?.locks,
  });
  const wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
  const realtime = new RealtimeClient({
    url: wsUrl,
    tokens,
    onFrame: (frame) => applyFrame(frame, { client, myId: me.id, viewing: () => viewing }),
    onResume: () => {
      // Resuming (docs/realtime.md): fill every loaded conversation's gap by seq, refetch the
      // chat list, notifications, presence and read positions, and send what was queued while the connection was down.
      void fillAllGaps(client);
      void client.invalidateQueries({ queryKey: keys.conversations });
      void client.invalidateQueries({ queryKey: keys.notifications });
      void client.invalidateQueries({ queryKey: ['presence'] });
      void client.invalidateQueries({ queryKey: ['reads'] });
      void outbox.flush();
    },
    onStatus: (status) => useLive.getState().setStatus(status),
    onSignedOut,
  });
  const flushWhenOnline = () => void outbox.flush();
  addEventListener('online', flushWhenOnline);
  realtime.start();
  void outbox.flush();
  const pruner = setInterval(() => useLive.getState().pruneTyping(Date.now()), 1000);
  return {
    me,
    realtime,
    outbox,
    setViewing: (conversationId) => {
      viewing = conversationId;
    },
    stop: () => {
      realtime.stop();
      clearInterval(pruner);
      removeEventListener('online', flushWhenOnline);
      useLive.getState().reset();
    },
  };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [state, setState] = useState<AuthState>(() => (tokens.hasSession ? { kind: 'loading' } : { kind: 'signedOut' }));
  const [attempt, setAttempt] = useState(0);
  const meId = state.kind === 'signedIn' ? state.me.id : null;
  const servicesRef = useRef<(Services & { stop: () => void }) | null>(null);
  const [services, setServices] = useState<Services | null>(null);

  const forget = useCallback(() => {
    tokens.clear();
    client.clear();
    setState({ kind: 'signedOut' });
  }, [client]);

  // A reload with a stored refresh token: refresh it and load the profile.
  useEffect(() => {
    if (state.kind !== 'loading') return;
    let cancelled = false;
    ok(api.GET('/api/v1/users/me')).then(
      (me) => {
        if (cancelled) return;
        client.setQueryData(keys.me, me);
        setState({ kind: 'signedIn', me });
      },
      (error: unknown) => {
        if (cancelled) return;
        if (error instanceof SignedOutError || !isNetworkError(error)) forget();
        else setState({ kind: 'unreachable' });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [state.kind, attempt, client, forget]);

  // The session's services live as long as the signed-in user.
  useEffect(() => {
    if (!meId || state.kind !== 'signedIn') return;
    const created = createServices(client, state.me, forget);
    servicesRef.current = created;
    setServices(created);
    return () => {
      created.stop();
      servicesRef.current = null;
      setServices(null);
    };
    // Recreated only when the user changes, not on every profile edit.
  }, [meId]);

  // A refresh token refused mid-session (revoked from another device, or reused) ends this one.
  useEffect(
    () =>
      tokens.subscribe((token) => {
        if (token === null && !tokens.hasSession) setState((current) => (current.kind === 'signedIn' ? { kind: 'signedOut' } : current));
      }),
    [],
  );

  // Other tabs signing out (the refresh token removed) sign this one out too.
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key === 'parley.refreshToken' && event.newValue === null && tokens.current) forget();
    };
    addEventListener('storage', onStorage);
    return () => removeEventListener('storage', onStorage);
  }, [forget]);

  const accept = useCallback(
    (answer: AuthAnswer) => {
      tokens.accept(answer);
      const me: Me = answer.user;
      client.setQueryData(keys.me, me);
      setState({ kind: 'signedIn', me });
    },
    [client],
  );

  const signOut = useCallback(async () => {
    await unsubscribeFromPush().catch(() => undefined);
    await ok(api.POST('/api/v1/auth/logout')).catch(() => undefined);
    forget();
  }, [forget]);

  const retry = useCallback(() => {
    setState({ kind: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo(() => ({ state, services, accept, signOut, retry }), [state, services, accept, signOut, retry]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}
