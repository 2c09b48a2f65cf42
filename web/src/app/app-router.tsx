import { createBrowserRouter, Navigate } from 'react-router';
import { SystemStatusPage } from '../modules/system/system-status-page';
import { ConsoleLayout } from './console-layout';
import { NotFoundPage } from './not-found-page';
import { RouteErrorPage } from './route-error-page';
import { routePaths } from './route-paths';

export function createAppRouter() {
  return createBrowserRouter([
    {
      path: '/',
      element: <ConsoleLayout />,
      errorElement: <RouteErrorPage />,
      children: [
        { index: true, element: <Navigate to={routePaths.systemStatus} replace /> },
        { path: routePaths.systemStatus, element: <SystemStatusPage /> },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
}
