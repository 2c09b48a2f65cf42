import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * The security headers of every response (helmet), with a strict Content-Security-Policy. Built once:
 * @fastify/helmet rebuilt helmet's middleware on every request (and drew two nonces for it), a measurable
 * share of each API request's CPU (issue 4 §11, bench/claims.bench.ts). Only the console's HTML page needs
 * nonces; it sets its own policy with them ({@link consolePolicy}).
 */
const DIRECTIVES: Record<string, string[]> = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
};

export type HeaderMiddleware = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

export function securityHeaders(): HeaderMiddleware {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: DIRECTIVES },
    // Nobody but this origin may embed or open our responses.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
  });
}

/** The console page's policy: the same directives, with this response's nonce for antd's runtime styles. */
export function consolePolicy(nonce: string): string {
  return Object.entries(DIRECTIVES)
    .map(([name, sources]) => {
      const withNonce =
        name === 'scriptSrc' || name === 'styleSrc' ? [...sources, `'nonce-${nonce}'`] : sources;
      return `${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)} ${withNonce.join(' ')}`;
    })
    .join(';');
}
