import { lazy, Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, NavLink, Outlet, Route, Routes, useLocation, useMatch } from 'react-router';
import { ConnectionBanner } from '../screens/ConnectionBanner';
import { ChatList } from '../screens/ChatList';
import { ConversationScreen } from '../screens/Conversation';
import { SignIn, SignUp } from '../screens/Auth';
import { NotificationsBadge } from '../screens/NotificationsBadge';
import { useSession } from './session';
import { Icon } from '../ui/icons';

// Screens used less often load on demand, which keeps the initial bundle within its budget.
const Settings = lazy(() => import('../screens/Settings'));
const Contacts = lazy(() => import('../screens/Contacts'));
const Search = lazy(() => import('../screens/Search'));
const Notifications = lazy(() => import('../screens/Notifications'));
const GroupSettings = lazy(() => import('../screens/GroupSettings'));

export function App() {
  const { state, services, retry } = useSession();
  const { t } = useTranslation();
  // Signed in but the session's services (socket, outbox) are made in an effect: one render later.
  if (state.kind === 'loading' || (state.kind === 'signedIn' && !services))
    return (
      <p className="centered" role="status">
        {t('app.loading')}
      </p>
    );
  if (state.kind === 'unreachable')
    return (
      <div className="centered" role="alert">
        <p>{t('app.unreachable')}</p>
        <button type="button" onClick={retry}>
          {t('app.retry')}
        </button>
      </div>
    );
  if (state.kind === 'signedOut')
    return (
      <Routes>
        <Route path="/signup" element={<SignUp />} />
        <Route path="/signin" element={<SignIn />} />
        <Route path="*" element={<SignInRedirect />} />
      </Routes>
    );
  return (
    <Routes>
      <Route path="/signin" element={<Navigate to="/" replace />} />
      <Route path="/signup" element={<Navigate to="/" replace />} />
      <Route element={<Shell />}>
        <Route index element={<NoChatSelected />} />
        <Route path="c/:conversationId" element={<ConversationScreen />} />
        <Route path="c/:conversationId/settings" element={<GroupSettings />} />
        <Route path="contacts" element={<Contacts />} />
        <Route path="search" element={<Search />} />
        <Route path="notifications" element={<Notifications />} />
        <Route path="settings" element={<Settings />} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}

/** Signed out on a deep link: sign in, then come back to it. */
function SignInRedirect() {
  const location = useLocation();
  const next = location.pathname === '/' ? '' : `?next=${encodeURIComponent(location.pathname + location.search)}`;
  return <Navigate to={`/signin${next}`} replace />;
}

function NoChatSelected() {
  const { t } = useTranslation();
  return <p className="placeholder">{t('chats.selectChat')}</p>;
}

/**
 * The signed-in layout: navigation, the chat list beside the open screen on wide screens, and
 * one column at phone width (the list on `/`, the screen elsewhere, with a back link).
 */
function Shell() {
  const { t } = useTranslation();
  const home = useMatch('/');
  const location = useLocation();
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [location.pathname]);
  return (
    <div className={home ? 'shell at-home' : 'shell'}>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <nav className="rail" aria-label={t('nav.main')}>
        <NavLink to="/" end className="rail-link" aria-label={t('nav.chats')} title={t('nav.chats')}>
          <Icon name="chats" size={24} />
        </NavLink>
        <NavLink to="/contacts" className="rail-link" aria-label={t('nav.contacts')} title={t('nav.contacts')}>
          <Icon name="people" size={24} />
        </NavLink>
        <NavLink to="/search" className="rail-link" aria-label={t('nav.search')} title={t('nav.search')}>
          <Icon name="search" size={24} />
        </NavLink>
        <NavLink to="/notifications" className="rail-link" title={t('nav.notifications')}>
          <NotificationsBadge />
        </NavLink>
        <NavLink to="/settings" className="rail-link" aria-label={t('nav.settings')} title={t('nav.settings')}>
          <Icon name="gear" size={24} />
        </NavLink>
      </nav>
      <aside className="sidebar">
        <ChatList />
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        <ConnectionBanner />
        <Suspense fallback={<p role="status">{t('app.loading')}</p>}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
