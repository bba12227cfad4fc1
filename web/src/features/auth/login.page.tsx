import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { useAuthState, useLogin, useMe } from './auth.hooks';
import { AuthCard } from './auth-card';
import { TextField } from '../../components/field';
import { Alert } from '../../components/alert';
import { formErrorsOf, noFormErrors } from '../../api/form-errors';

const FORM_PATHS = ['email', 'password'] as const;

export function LoginPage() {
  const me = useMe();
  const authState = useAuthState();
  const login = useLogin();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  if (me.data) return <Navigate to={from} replace />;

  const errors = login.isError ? formErrorsOf(login.error, FORM_PATHS) : noFormErrors;

  function submit(event: FormEvent) {
    event.preventDefault();
    login.mutate({ email, password }, { onSuccess: () => navigate(from, { replace: true }) });
  }

  return (
    <AuthCard title="Log in">
      {authState.data?.needsSetup ? (
        <Alert kind="info">
          No admin exists yet. Open the one-time setup link the server printed when it started (<code>npm start</code> or <code>wacast serve</code>).
        </Alert>
      ) : null}
      <form className="stack" onSubmit={submit} noValidate>
        {errors.summary ? <Alert>{errors.summary}</Alert> : null}
        <TextField label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" required error={errors.fields.email} autoFocus />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          required
          error={errors.fields.password}
        />
        <button type="submit" className="btn btn--primary btn--block" disabled={login.isPending}>
          {login.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthCard>
  );
}
