import { Alert } from './Alert';
import { PageHeader } from './PageHeader';

/** What a user sees on a page their role does not allow (the API would refuse it anyway). */
export function NoAccess({ what }: { what: string }) {
  return (
    <>
      <PageHeader title="Not available" />
      <Alert tone="info">Your role does not allow you to {what}.</Alert>
    </>
  );
}
