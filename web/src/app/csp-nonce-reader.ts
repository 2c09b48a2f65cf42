/** What web/index.html carries until the server substitutes a real nonce (the Vite dev server never does). */
export const cspNoncePlaceholder = '{{CSP_NONCE}}';

/** The nonce from the `csp-nonce` meta tag's content, or undefined when the server did not substitute one. */
export function readCspNonce(metaContent: string | null | undefined): string | undefined {
  const nonce = metaContent?.trim();
  if (!nonce || nonce === cspNoncePlaceholder) return undefined;
  return nonce;
}

export function readCspNonceFromDocument(document: Document): string | undefined {
  return readCspNonce(document.querySelector('meta[name="csp-nonce"]')?.getAttribute('content'));
}
