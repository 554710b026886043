import { useEffect } from 'react';

export const PRODUCT_NAME = 'WECARE.DIGITAL';

/** Sets `document.title` to "<page> · WECARE.DIGITAL" (or the product name alone). */
export function usePageTitle(page?: string): void {
  useEffect(() => {
    document.title = page ? `${page} · ${PRODUCT_NAME}` : PRODUCT_NAME;
  }, [page]);
}
