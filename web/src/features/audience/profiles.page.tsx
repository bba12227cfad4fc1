import { useState } from 'react';
import { Link } from 'react-router-dom';
import { EmptyState, PageHeader } from '../../components/page';
import { TextField } from '../../components/field';
import { QueryState } from '../../components/query-state';
import { formatDateTime } from '../../components/format';
import { useDebounced } from '../../components/use-debounced';
import { useProfileSearch } from './profiles.hooks';
import { MorePages } from '../../components/more-pages';
import { ColumnHeads } from '../../components/column-heads';

export const profilePath = (identity: string) => `/audience/profiles/${encodeURIComponent(identity)}`;

/** Profiles: search by identity, phone or name; newest first. */
export function ProfilesPage() {
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim(), 300);
  const search = useProfileSearch(query);
  const profiles = search.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <PageHeader title="Profiles" description="The people campaigns reach: properties, WhatsApp reachability, events and messages." />
      <div className="toolbar">
        <TextField label="Search profiles" type="search" value={q} onChange={setQ} autoComplete="off" spellCheck={false} placeholder="Identity, phone or name" hint="Matches the start of the identity, the phone number (with country code) or the name." />
      </div>
      <QueryState query={search} loading="Searching">
        {() =>
          profiles.length === 0 ? (
            <EmptyState title={query ? 'No matching profiles' : 'No profiles yet'}>
              {query ? (
                <p>Nothing starts with “{query}”.</p>
              ) : (
                <p>
                  Profiles arrive through the upload API or a <Link to="/audience/imports">CSV import</Link>.
                </p>
              )}
            </EmptyState>
          ) : (
            <>
              <table className="table" data-testid="profile-results">
                <caption className="visually-hidden">Profiles</caption>
                <ColumnHeads columns={['Identity', 'Name', 'Phone', 'WhatsApp', 'Updated']} />
                <tbody>
                  {profiles.map((profile) => (
                    <tr key={profile.id}>
                      <td>
                        <Link className="mono" to={profilePath(profile.identity)}>
                          {profile.identity}
                        </Link>
                      </td>
                      <td>{profile.name ?? '—'}</td>
                      <td className="mono">{profile.phone ?? '—'}</td>
                      <td>{profile.whatsappReachable ? <span className="badge badge--success">Reachable</span> : <span className="badge badge--neutral">Not reachable</span>}</td>
                      <td>{formatDateTime(profile.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <MorePages query={search} label="Load more" pager />
            </>
          )
        }
      </QueryState>
    </>
  );
}
