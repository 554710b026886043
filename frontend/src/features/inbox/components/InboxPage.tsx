// The inbox: every conversation of the tenant, latest activity first, refreshed every few
// seconds without a reload.
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { PageHeader } from '@/components/PageHeader';
import { useNow } from '@/hooks/use-now';
import { usePageTitle } from '@/hooks/use-page-title';
import { describeError } from '@/lib/api-error';
import { useConversations } from '../api/get-conversations';
import { ConversationList, ConversationListSkeleton } from './ConversationList';

export function InboxPage() {
  usePageTitle('Inbox');
  const conversations = useConversations();
  const now = useNow();
  const items = conversations.data?.pages.flatMap((page) => page.items);

  let body;
  if (conversations.isPending) {
    body = <ConversationListSkeleton />;
  } else if (!items) {
    body = (
      <Alert title="The inbox could not be loaded.">
        <p>{describeError(conversations.error)}</p>
        <Button variant="secondary" onClick={() => void conversations.refetch()}>
          Try again
        </Button>
      </Alert>
    );
  } else if (items.length === 0) {
    body = (
      <div className="empty">
        <p>No conversations yet.</p>
        <p className="muted">Messages you send and replies from contacts appear here.</p>
      </div>
    );
  } else {
    body = (
      <>
        <ConversationList conversations={items} now={now} />
        {conversations.hasNextPage ? (
          <div className="load-more">
            <Button
              variant="secondary"
              onClick={() => void conversations.fetchNextPage()}
              busy={conversations.isFetchingNextPage}
            >
              {conversations.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </Button>
          </div>
        ) : null}
      </>
    );
  }

  return (
    <>
      <PageHeader title="Inbox" />
      <p className="list-status">Updates by itself every few seconds.</p>
      {items && conversations.isRefetchError ? (
        <Alert tone="info">The inbox could not be refreshed: {describeError(conversations.error)} It will try again.</Alert>
      ) : null}
      {body}
    </>
  );
}
