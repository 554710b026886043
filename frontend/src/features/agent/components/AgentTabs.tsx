// Between the Agent page's two views, for Admins (only they review the interactions): asking the
// knowledge base, and every interaction with the figures.
import { NavLink } from 'react-router';
import { useCan } from '@/lib/authorization';

export function AgentTabs() {
  const canReview = useCan('reviewAi');
  if (!canReview) return null;
  return (
    <nav className="agent-tabs" aria-label="Agent">
      <NavLink className="agent-tabs__tab" to="/agent" end>
        Ask
      </NavLink>
      <NavLink className="agent-tabs__tab" to="/agent/interactions">
        Interactions
      </NavLink>
    </nav>
  );
}
