import type { BuilderValues } from './builder-values';

/** What every builder section gets: the form values, a setter, and the messages per field path. */
export interface SectionProps {
  values: BuilderValues;
  set: <K extends keyof BuilderValues>(key: K, value: BuilderValues[K]) => void;
  errors: Record<string, string | undefined>;
}
