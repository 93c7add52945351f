import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, ok } from '../api/client';
import { ApiError } from '../api/problem';
import { useSession } from '../app/session';
import { LanguagePicker } from './LanguagePicker';
import { field } from '../lib/form';

function useAuthError() {
  const { t } = useTranslation();
  return (error: unknown): string => {
    if (error instanceof ApiError && error.status === 401) return t('auth.badCredentials');
    if (error instanceof ApiError && error.status === 429) return t('auth.tooMany');
    return t('auth.failed', { detail: error instanceof Error ? error.message : String(error) });
  };
}

/** Back to the deep link that sent the user to sign in, if it is one of ours. */
function useAfterSignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = params.get('next');
  return () => navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
}

export function SignIn() {
  const { t } = useTranslation();
  const { accept } = useSession();
  const describe = useAuthError();
  const done = useAfterSignIn();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      accept(await ok(api.POST('/api/v1/auth/login', { body: { login: field(form, 'login'), password: field(form, 'password') } })));
      await done();
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth" id="main">
      <LanguagePicker />
      <form className="card" onSubmit={(event) => void submit(event)}>
        <h1>{t('auth.signInTitle')}</h1>
        <label>
          {t('auth.login')}
          <input name="login" autoComplete="username" required autoFocus />
        </label>
        <label>
          {t('auth.password')}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {t('auth.signIn')}
        </button>
        <p>
          {t('auth.noAccount')} <Link to="/signup">{t('auth.signUp')}</Link>
        </p>
      </form>
    </main>
  );
}

export function SignUp() {
  const { t } = useTranslation();
  const { accept } = useSession();
  const describe = useAuthError();
  const done = useAfterSignIn();
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const displayName = field(form, 'displayName').trim();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      accept(
        await ok(
          api.POST('/api/v1/auth/register', {
            body: {
              username: field(form, 'username'),
              email: field(form, 'email'),
              password: field(form, 'password'),
              ...(displayName ? { displayName } : {}),
            },
          }),
        ),
      );
      await done();
    } catch (failure) {
      if (failure instanceof ApiError && failure.problem.errors) setFieldErrors(failure.problem.errors);
      setError(failure instanceof ApiError && failure.status !== 401 ? (failure.problem.detail ?? failure.message) : describe(failure));
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (name: string) => {
    const messages = fieldErrors[`body.${name}`] ?? fieldErrors[name];
    return messages ? (
      <span className="error" id={`${name}-error`}>
        {messages.join(' ')}
      </span>
    ) : null;
  };
  const described = (name: string, hint?: string) =>
    [hint && `${name}-hint`, (fieldErrors[`body.${name}`] ?? fieldErrors[name]) && `${name}-error`].filter(Boolean).join(' ') || undefined;

  return (
    <main className="auth" id="main">
      <LanguagePicker />
      <form className="card" onSubmit={(event) => void submit(event)}>
        <h1>{t('auth.signUpTitle')}</h1>
        <label>
          {t('auth.username')}
          <input
            name="username"
            autoComplete="username"
            required
            minLength={3}
            maxLength={32}
            pattern="[A-Za-z0-9_.]{3,32}"
            aria-describedby={described('username', 'hint')}
            autoFocus
          />
          <span className="hint" id="username-hint">
            {t('auth.usernameHint')}
          </span>
          {fieldError('username')}
        </label>
        <label>
          {t('auth.displayName')}
          <input name="displayName" autoComplete="name" maxLength={64} />
        </label>
        <label>
          {t('auth.email')}
          <input name="email" type="email" autoComplete="email" required aria-describedby={described('email')} />
          {fieldError('email')}
        </label>
        <label>
          {t('auth.password')}
          <input name="password" type="password" autoComplete="new-password" required minLength={8} aria-describedby={described('password', 'hint')} />
          <span className="hint" id="password-hint">
            {t('auth.passwordHint')}
          </span>
          {fieldError('password')}
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {t('auth.signUp')}
        </button>
        <p>
          {t('auth.haveAccount')} <Link to="/signin">{t('auth.signIn')}</Link>
        </p>
      </form>
    </main>
  );
}
