import { PageHeader } from '../components/page-header.tsx';
import { Link } from '../router.tsx';

export function NotFoundPage({ pathname }: { pathname: string }) {
  return (
    <>
      <PageHeader title="Page not found" tagline={`There is no page at ${pathname}.`} />
      <section className="card empty-state">
        <p className="empty-state-lead">
          The link may be out of date. Choose an area on the left, or go to Measure.
        </p>
        <div className="empty-state-actions">
          <Link to="/measure" className="button button-primary">
            Go to Measure
          </Link>
        </div>
      </section>
    </>
  );
}
