// The conversation feature's page, mounted by the app under the signed-in shell.
import type { RouteObject } from 'react-router';
import { ConversationPage } from './components/ConversationPage';

export const conversationRoutes: RouteObject[] = [{ path: 'conversations/:contactId', element: <ConversationPage /> }];
