/**
 * CSP-safe stand-in for `@rc-component/util/es/getScrollBarSize.js` (swapped in at build time by
 * `web/csp-safe-overrides.ts`). The original measures a target's custom scrollbar by injecting a
 * `<style>` with `::-webkit-scrollbar` rules and no nonce, which the strict `style-src` refuses with a
 * console error each time a Table mounts. This one uses only CSSOM (allowed under the policy) and reads a
 * custom WebKit scrollbar width straight from the computed style, as the original does when it cannot
 * inject.
 */
type Size = { width: number; height: number };

let cached: Size | undefined;

function measure(target?: Element): Size {
  const probe = document.createElement('div');
  const style = probe.style;
  style.position = 'absolute';
  style.left = '0';
  style.top = '0';
  style.width = '100px';
  style.height = '100px';
  style.overflow = 'scroll';
  let customWidth = Number.NaN;
  let customHeight = Number.NaN;
  if (target) {
    const targetStyle = getComputedStyle(target);
    style.scrollbarColor = targetStyle.scrollbarColor;
    style.scrollbarWidth = targetStyle.scrollbarWidth;
    const webkit = getComputedStyle(target, '::-webkit-scrollbar');
    customWidth = Number.parseInt(webkit.width, 10);
    customHeight = Number.parseInt(webkit.height, 10);
  }
  document.body.appendChild(probe);
  const size = {
    width: customWidth > 0 ? customWidth : probe.offsetWidth - probe.clientWidth,
    height: customHeight > 0 ? customHeight : probe.offsetHeight - probe.clientHeight,
  };
  document.body.removeChild(probe);
  return size;
}

export default function getScrollBarSize(fresh?: boolean): number {
  if (typeof document === 'undefined') return 0;
  if (fresh || cached === undefined) cached = measure();
  return cached.width;
}

export function getTargetScrollBarSize(target: unknown): Size {
  if (typeof document === 'undefined' || !(target instanceof Element)) return { width: 0, height: 0 };
  return measure(target);
}
