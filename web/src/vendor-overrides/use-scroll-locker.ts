import { useLayoutEffect } from 'react';
import getScrollBarSize from './scroll-bar-size';

/**
 * CSP-safe stand-in for `@rc-component/portal/es/useScrollLocker.js` (swapped in at build time by
 * `web/csp-safe-overrides.ts`). The original locks the page behind a Modal or Drawer by injecting
 * `<style>html body { overflow-y: hidden }</style>` without a nonce, which the strict `style-src`
 * refuses. This one toggles a class whose rule is in the console's own stylesheet
 * (`app/console.css`), and passes the scrollbar width in a custom property set through CSSOM.
 */
const LOCKED_CLASS = 'claimguard-scroll-locked';
const SCROLLBAR_PROPERTY = '--claimguard-scrollbar-width';
let lockCount = 0;

function isBodyOverflowing(): boolean {
  return (
    document.body.scrollHeight > (window.innerHeight || document.documentElement.clientHeight) &&
    window.innerWidth > document.body.offsetWidth
  );
}

export default function useScrollLocker(lock?: boolean): void {
  const locked = !!lock;
  useLayoutEffect(() => {
    if (!locked) return;
    const body = document.body;
    if (lockCount === 0) {
      body.style.setProperty(SCROLLBAR_PROPERTY, isBodyOverflowing() ? `${getScrollBarSize()}px` : '0px');
      body.classList.add(LOCKED_CLASS);
    }
    lockCount += 1;
    return () => {
      lockCount -= 1;
      if (lockCount === 0) {
        body.classList.remove(LOCKED_CLASS);
        body.style.removeProperty(SCROLLBAR_PROPERTY);
      }
    };
  }, [locked]);
}
