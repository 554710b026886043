import { Link, useRouteError } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { PageHeader } from '@/components/PageHeader';
import { usePageTitle } from '@/hooks/use-page-title';

export function NotFoundPage() {
  usePageTitle('Page not found');
  return (
    <>
      <PageHeader title="Page not found" />
      <p>
        There is nothing at this address. <Link to="/contacts">Go to Contacts</Link>
      </p>
    </>
  );
}

/** A page that crashed while rendering: say so, log it, offer a reload. */
export function RouteErrorPage() {
  const error = useRouteError();
  console.error(error);
  return (
    <main className="main main--standalone" id="main">
      <PageHeader title="Something went wrong" />
      <Alert>The console hit an unexpected error.</Alert>
      <Button onClick={() => window.location.reload()}>Reload</Button>
    </main>
  );
}
