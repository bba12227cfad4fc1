import { Link } from 'react-router-dom';
import { EmptyState } from '../../components/page';

export function NotFoundPage() {
  return (
    <EmptyState title="Page not found" action={<Link to="/">Go to the start page</Link>}>
      <p>There is nothing at this address.</p>
    </EmptyState>
  );
}
