import { PageHeader } from './page-header.tsx';
import { Link } from '../router.tsx';

/** A page the signed-in user's role does not open: say so, and where to go instead. */
export function NoAccess({ title, reason }: { title: string; reason: string }) {
  return (
    <>
      <PageHeader title={title} tagline="You do not have access to this page." />
      <section className="card empty-state" data-testid="no-access">
        <p className="empty-state-lead">{reason}</p>
        <div className="empty-state-actions">
          <Link to="/measure" className="button button-primary">
            Go to Measure
          </Link>
        </div>
      </section>
    </>
  );
}
