import { Navigate, type RouteObject } from 'react-router';
import { RouteErrorPage } from '../../app/route-error-page';
import { PortalCompensationPage } from '../breach-notices/portal-compensation-page';
import { PortalAccessHistoryPage } from './portal-access-history-page';
import { PortalClaimPage } from './portal-claim-page';
import { PortalClaimsPage } from './portal-claims-page';
import { PortalContactPage } from './portal-contact-page';
import { PortalLayout } from './portal-layout';
import { PortalLoginPage } from './portal-login-page';
import { PortalNotificationsPage } from './portal-notifications-page';
import { portalPaths } from './portal-paths';
import { PortalRegisterPage } from './portal-register-page';
import { PortalReportPage } from './portal-report-page';

/** The customer portal's pages: outside the staff console, its guard and its navigation. */
export const portalRoutes: RouteObject[] = [
  { path: portalPaths.login, element: <PortalLoginPage />, errorElement: <RouteErrorPage /> },
  { path: portalPaths.register, element: <PortalRegisterPage />, errorElement: <RouteErrorPage /> },
  {
    path: portalPaths.root,
    element: <PortalLayout />,
    errorElement: <RouteErrorPage />,
    children: [
      { index: true, element: <Navigate to={portalPaths.claims} replace /> },
      { path: 'claims', element: <PortalClaimsPage /> },
      { path: 'claims/:id', element: <PortalClaimPage /> },
      { path: 'report', element: <PortalReportPage /> },
      { path: 'notifications', element: <PortalNotificationsPage /> },
      { path: 'access-history', element: <PortalAccessHistoryPage /> },
      { path: 'contact', element: <PortalContactPage /> },
      { path: 'compensation/:reference', element: <PortalCompensationPage /> },
      { path: '*', element: <Navigate to={portalPaths.claims} replace /> },
    ],
  },
];
