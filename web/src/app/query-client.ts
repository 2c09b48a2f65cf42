import { QueryClient } from '@tanstack/react-query';
import { ApiProblem } from '../api/api-client';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A 4xx answer will not change on retry; network failures and 5xx get one more attempt.
        retry: (failureCount, error) =>
          !(error instanceof ApiProblem && error.status >= 400 && error.status < 500) && failureCount < 1,
      },
    },
  });
}
