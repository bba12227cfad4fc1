import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useAuthState, useSetupFirstAdmin } from './auth.hooks';
import { AuthCard } from './auth-card';
import { TextField } from '../../components/field';
import { Alert } from '../../components/alert';
import { Loading } from '../../components/page';
import { formErrorsOf, noFormErrors } from '../../api/form-errors';
import { setupTokenFrom } from './setup-link';

const FORM_PATHS = ['email', 'password', 'projectName'] as const;

export function SetupPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const authState = useAuthState();
  const setup = useSetupFirstAdmin();
  const [token] = useState(() => setupTokenFrom(location.hash));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [projectName, setProjectName] = useState('My project');

  if (authState.isPending) return <Loading />;
  if (authState.data && !authState.data.needsSetup && !setup.isSuccess) {
    return (
      <AuthCard title="Already set up">
        <p>An admin account already exists on this server.</p>
        <Link className="btn btn--primary btn--block" to="/login">
          Go to log in
        </Link>
      </AuthCard>
    );
  }
  if (!token) {
    return (
      <AuthCard title="Create the first admin">
        <Alert>
          This page needs the one-time link the server printed when it started (<code>npm start</code> or <code>wacast serve</code>; it ends with <code>#token=…</code>). Copy the whole link from the server's
          output.
        </Alert>
      </AuthCard>
    );
  }

  const errors = setup.isError ? formErrorsOf(setup.error, FORM_PATHS) : noFormErrors;

  function submit(event: FormEvent) {
    event.preventDefault();
    setup.mutate(
      { token: token!, email, password, projectName: projectName.trim() || undefined },
      // Replace the history entry so the used link (with its token) is not kept in the history.
      { onSuccess: () => navigate('/', { replace: true }) },
    );
  }

  return (
    <AuthCard title="Create the first admin">
      <p className="muted">This account can open every project and create others.</p>
      <form className="stack" onSubmit={submit} noValidate>
        {errors.summary ? <Alert>{errors.summary}</Alert> : null}
        <TextField label="Email" type="email" value={email} onChange={setEmail} autoComplete="username" required error={errors.fields.email} autoFocus />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          required
          hint="At least 10 characters."
          error={errors.fields.password}
        />
        <TextField label="Project name" value={projectName} onChange={setProjectName} hint="Your first project; you can add more later." error={errors.fields.projectName} />
        <button type="submit" className="btn btn--primary btn--block" disabled={setup.isPending}>
          {setup.isPending ? 'Creating…' : 'Create admin'}
        </button>
      </form>
    </AuthCard>
  );
}
