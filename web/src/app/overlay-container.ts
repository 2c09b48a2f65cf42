/**
 * Where antd puts modals, drawers and pop-ups: a div of our own rather than <body>.
 *
 * SECURITY (CSP): when a Modal or Drawer is portalled into <body>, @rc-component/portal's scroll locker
 * injects `<style>html body { overflow-y: hidden }</style>` through rc-util's `updateCSS` without passing
 * ConfigProvider's nonce (it takes no option for one), and the strict `style-src 'self' 'nonce-…'` policy
 * refuses it with a console error. The locker only runs for a portal into <body> itself, so a container
 * of our own keeps every injected <style> nonce-carrying (antd's CSS-in-JS gets the nonce from
 * ConfigProvider's `csp`). The page behind an open modal may scroll; the mask still blocks it.
 */
const OVERLAY_CONTAINER_ID = 'claimguard-overlays';

export function overlayContainer(): HTMLElement {
  let container = document.getElementById(OVERLAY_CONTAINER_ID);
  if (!container) {
    container = document.createElement('div');
    container.id = OVERLAY_CONTAINER_ID;
    document.body.appendChild(container);
  }
  return container;
}
