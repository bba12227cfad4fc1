import { EmptyState, PageHeader } from '../../components/page';

/** Placeholder until profiles, events and segments are browsable in the dashboard. */
export function AudiencePage() {
  return (
    <>
      <PageHeader title="Audience" description="User profiles, their events, and the segments campaigns target." />
      <EmptyState title="Nothing to show yet">
        <p>Profiles and segments will appear here once the audience pages are available in the dashboard.</p>
      </EmptyState>
    </>
  );
}
