import type { ReactNode } from 'react';

/** One numbered section of the builder (Setup, Who, What…), a landmark reachable from the section list. */
export function BuilderSection({ id, step, title, description, children }: { id: string; step: number; title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <section className="builder-section" id={id} aria-labelledby={`${id}-title`}>
      <h2 className="builder-section__title" id={`${id}-title`}>
        <span className="builder-section__step" aria-hidden="true">
          {step}
        </span>
        {title}
      </h2>
      {description ? <p className="muted builder-section__description">{description}</p> : null}
      <div className="stack">{children}</div>
    </section>
  );
}
