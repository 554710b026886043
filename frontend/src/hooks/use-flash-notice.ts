import { useEffect, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';

/** Navigation state that carries a one-time message to the next page ("Contact deleted."). */
export interface FlashState {
  notice?: string;
}

/** The notice the previous page left, shown once: a reload or Back does not show it again. */
export function useFlashNotice(): string | undefined {
  const location = useLocation();
  const navigate = useNavigate();
  const [notice] = useState(() => (location.state as FlashState | null)?.notice);
  useEffect(() => {
    if ((location.state as FlashState | null)?.notice) {
      void navigate({ pathname: location.pathname, search: location.search }, { replace: true, state: null });
    }
  }, [location, navigate]);
  return notice;
}
