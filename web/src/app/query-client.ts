import { QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiProblem } from '../api/api-client';
import { meQueryKey } from '../modules/auth/auth-api';
import { needsSignIn } from '../modules/auth/route-guard';

export function createQueryClient(): QueryClient {
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      // A page's request refused for want of a session (it ended, or was ended elsewhere): check the
      // session again, and the route guard takes the person to the sign-in page.
      onError: (error, query) => {
        if (needsSignIn(error) && query.queryKey !== meQueryKey && query.queryKey[1] !== 'me') {
          void queryClient.invalidateQueries({ queryKey: meQueryKey });
        }
      },
    }),
    defaultOptions: {
      queries: {
        // A 4xx answer will not change on retry; network failures and 5xx get one more attempt.
        retry: (failureCount, error) =>
          !(error instanceof ApiProblem && error.status >= 400 && error.status < 500) && failureCount < 1,
      },
    },
  });
  return queryClient;
}
