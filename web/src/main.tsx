import 'antd/dist/reset.css';
import './app/console.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AppRoot } from './app/app-root';
import { readCspNonceFromDocument } from './app/csp-nonce-reader';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

createRoot(container).render(
  <StrictMode>
    <AppRoot cspNonce={readCspNonceFromDocument(document)} />
  </StrictMode>,
);
