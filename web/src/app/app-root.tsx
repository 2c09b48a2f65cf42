import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { RouterProvider } from 'react-router';
import { LanguageProvider } from '../i18n/language-provider';
import { StepUpProvider } from '../modules/auth/step-up-provider';
import { AntdProvider } from './antd-provider';
import { createAppRouter } from './app-router';
import { createQueryClient } from './query-client';

// Created once per page, outside React, so StrictMode's double render cannot create a second router.
const router = createAppRouter();

export function AppRoot({ cspNonce }: { cspNonce: string | undefined }) {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <LanguageProvider>
        <AntdProvider cspNonce={cspNonce}>
          <StepUpProvider>
            <RouterProvider router={router} />
          </StepUpProvider>
        </AntdProvider>
      </LanguageProvider>
    </QueryClientProvider>
  );
}
