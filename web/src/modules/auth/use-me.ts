import { useQuery } from '@tanstack/react-query';
import { meQueryOptions } from './auth-api';

/** The signed-in person, their session and what they may do (the guard has made sure it is loaded). */
export function useMe() {
  return useQuery(meQueryOptions);
}
