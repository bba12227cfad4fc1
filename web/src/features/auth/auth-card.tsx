import type { ReactNode } from 'react';

/** The centred card of the login and setup pages. */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-card">
        <p className="brand brand--large" aria-hidden="true">
          <span className="brand__mark">wa</span>cast
        </p>
        <h1 className="auth-card__title">{title}</h1>
        {children}
      </div>
    </main>
  );
}
