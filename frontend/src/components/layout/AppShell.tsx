// The frame of every signed-in page: the product name, the sidebar (a drawer behind a Menu
// button below 768 px), who is signed in, a banner the deployment may need (dry run), and the
// page itself in <main>.
import { useId, useState, type ReactNode } from 'react';
import { NavLink, useLocation } from 'react-router';
import { Button } from '../Button';
import { Skeleton } from '../Skeleton';

export interface NavItem {
  label: string;
  to: string;
}

/** A group of links; `label` titles groups such as "DM" (WhatsApp, SMS, Email). */
export interface NavSection {
  id: string;
  label?: string;
  items: NavItem[];
}

export interface AppShellProps {
  /** Null while the user's permissions load: placeholders keep the sidebar's size. */
  navigation: NavSection[] | null;
  /** Null while `/api/me` loads: the shell keeps its size with placeholders. */
  user: { email: string; role: string } | null;
  onSignOut: () => void;
  /** Above every page, e.g. the dry-run banner; first in <main>, so "Skip to content" reads it. */
  banner?: ReactNode;
  children: ReactNode;
}

export function AppShell({ navigation, user, onSignOut, banner, children }: AppShellProps) {
  const { pathname } = useLocation();
  // The drawer (small screens) belongs to the page it was opened on: following a link closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const menuOpen = openOn === pathname;
  const setMenuOpen = (open: boolean) => setOpenOn(open ? pathname : null);
  const navId = useId();

  return (
    <div className={['shell', menuOpen ? 'shell--menu-open' : null].filter(Boolean).join(' ')}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">WECARE.DIGITAL</span>
        <Button
          variant="secondary"
          className="topbar__menu"
          aria-expanded={menuOpen}
          aria-controls={navId}
          onClick={() => setMenuOpen(!menuOpen)}
        >
          {menuOpen ? 'Close menu' : 'Menu'}
        </Button>
      </header>
      <aside className="sidebar" id={navId} onKeyDown={(event) => event.key === 'Escape' && setMenuOpen(false)}>
        <span className="brand sidebar__brand">WECARE.DIGITAL</span>
        <nav aria-label="Main" className="sidebar__nav">
          {navigation === null ? (
            <ul className="nav-section__items" aria-hidden="true">
              {[0, 1].map((i) => (
                <li key={i} className="nav-link nav-link--skeleton">
                  <Skeleton width="70%" height="1em" />
                </li>
              ))}
            </ul>
          ) : null}
          {navigation?.map((section) => (
            <div key={section.id} className="nav-section">
              {section.label ? <p className="nav-section__label">{section.label}</p> : null}
              <ul className="nav-section__items">
                {section.items.map((item) => (
                  <li key={item.to}>
                    <NavLink to={item.to} className="nav-link" onClick={() => setMenuOpen(false)}>
                      {item.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <div className="sidebar__user">
          {user ? (
            <>
              <p className="sidebar__email">{user.email}</p>
              <p className="sidebar__role">
                <span className="badge">{user.role}</span>
              </p>
            </>
          ) : (
            <>
              <Skeleton width="80%" height="1.2em" />
              <Skeleton width="5em" height="1.4em" />
            </>
          )}
          <Button variant="secondary" onClick={onSignOut}>
            Sign out
          </Button>
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        {banner}
        {children}
      </main>
    </div>
  );
}
