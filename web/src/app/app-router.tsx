import { Spin } from 'antd';
import { lazy, Suspense } from 'react';
import { createBrowserRouter, Navigate } from 'react-router';
import { AuditPage } from '../modules/audit/audit-page';
import { AccountPage } from '../modules/auth/account-page';
import { LoginPage } from '../modules/auth/login-page';
import { RequireSession } from '../modules/auth/require-session';
import { SetupPage } from '../modules/auth/setup-page';
import { BREACH_STATUS_PATH, BreachStatusPage } from '../modules/breach-notices/breach-status-page';
import { ClaimDetailPage } from '../modules/claims/claim-detail-page';
import { ClaimsListPage } from '../modules/claims/claims-list-page';
import { CustomerContactPage } from '../modules/claims/customer-contact-page';
import { DetectionAlertsPage } from '../modules/detection/detection-alerts-page';
import { DetectionHoneytokensPage } from '../modules/detection/detection-honeytokens-page';
import { DetectionRulesPage } from '../modules/detection/detection-rules-page';
import { IncidentsRegisterPage } from '../modules/incidents/incidents-register-page';
import { PlaybooksPage } from '../modules/incidents/playbooks-page';
import { PayoutsPage } from '../modules/payouts/payouts-page';
import { portalRoutes } from '../modules/portal/portal-routes';
import {
  RegulatoryReportPage,
  RegulatoryReportsPage,
} from '../modules/regulatory-reports/regulatory-reports-page';
import { SecurityAlertsPage } from '../modules/security/alerts-page';
import { SHARE_PATH } from '../modules/shares/share-api';
import { SharePage } from '../modules/shares/share-page';
import { SystemStatusPage } from '../modules/system/system-status-page';
import { UsersPage } from '../modules/users/users-page';
import { ConsoleLayout } from './console-layout';
import { NotFoundPage } from './not-found-page';
import { RequirePermission } from './require-permission';
import { RouteErrorPage } from './route-error-page';
import { routePaths } from './route-paths';

// The catalogue and the risk view carry the charting library: loaded when first opened, not with every page.
const CataloguePage = lazy(() =>
  import('../modules/catalogue/catalogue-page').then((module) => ({ default: module.CataloguePage })),
);
// So does an incident's page (the blast radius chart).
const IncidentPage = lazy(() =>
  import('../modules/incidents/incident-page').then((module) => ({ default: module.IncidentPage })),
);

const DetectionRiskPage = lazy(() =>
  import('../modules/detection/detection-risk-page').then((module) => ({
    default: module.DetectionRiskPage,
  })),
);

export function createAppRouter() {
  return createBrowserRouter([
    { path: routePaths.login, element: <LoginPage />, errorElement: <RouteErrorPage /> },
    { path: routePaths.setup, element: <SetupPage />, errorElement: <RouteErrorPage /> },
    // The customer portal: its own sign-in, frame and session, no staff navigation.
    ...portalRoutes,
    // An outside party's view of a shared claim: no session, the link's token is the credential.
    { path: SHARE_PATH, element: <SharePage />, errorElement: <RouteErrorPage /> },
    // The public breach-status page (S4.2): no sign-in, approved notices only, never drills.
    { path: BREACH_STATUS_PATH, element: <BreachStatusPage />, errorElement: <RouteErrorPage /> },
    {
      // Every console page is behind the session guard, the status page included.
      element: <RequireSession />,
      errorElement: <RouteErrorPage />,
      children: [
        {
          path: '/',
          element: <ConsoleLayout />,
          children: [
            { index: true, element: <Navigate to={routePaths.systemStatus} replace /> },
            { path: routePaths.systemStatus, element: <SystemStatusPage /> },
            { path: routePaths.account, element: <AccountPage /> },
            {
              path: routePaths.claims,
              element: (
                <RequirePermission action="read" subject="Claim">
                  <ClaimsListPage />
                </RequirePermission>
              ),
            },
            {
              path: `${routePaths.claims}/:id`,
              element: (
                <RequirePermission action="read" subject="Claim">
                  <ClaimDetailPage />
                </RequirePermission>
              ),
            },
            {
              path: routePaths.customerContact,
              element: (
                <RequirePermission action="update" subject="Customer">
                  <CustomerContactPage />
                </RequirePermission>
              ),
            },
            {
              path: routePaths.payouts,
              element: (
                <RequirePermission action="read" subject="Payout">
                  <PayoutsPage />
                </RequirePermission>
              ),
            },
            {
              path: routePaths.incidents,
              element: (
                <RequirePermission action="read" subject="Incident">
                  <IncidentsRegisterPage />
                </RequirePermission>
              ),
            },
            {
              path: routePaths.incidentPlaybooks,
              element: (
                <RequirePermission action="read" subject="Incident">
                  <PlaybooksPage />
                </RequirePermission>
              ),
            },
            {
              path: `${routePaths.incidents}/:id`,
              element: (
                <RequirePermission action="read" subject="Incident">
                  <Suspense fallback={<Spin />}>
                    <IncidentPage />
                  </Suspense>
                </RequirePermission>
              ),
            },
            {
              path: routePaths.users,
              element: (
                <RequirePermission action="read" subject="User">
                  <UsersPage />
                </RequirePermission>
              ),
            },
            {
              path: routePaths.catalogue,
              element: (
                <RequirePermission action="read" subject="Catalogue">
                  <Suspense fallback={<Spin />}>
                    <CataloguePage />
                  </Suspense>
                </RequirePermission>
              ),
            },
            {
              path: routePaths.audit,
              element: (
                <RequirePermission action="read" subject="AuditLog">
                  <AuditPage />
                </RequirePermission>
              ),
            },
            {
              path: routePaths.securityAlerts,
              element: (
                <RequirePermission action="read" subject="SecurityAlert">
                  <SecurityAlertsPage />
                </RequirePermission>
              ),
            },
            {
              path: routePaths.regulatoryReports,
              element: (
                <RequirePermission action="read" subject="RegulatoryRegime">
                  <RegulatoryReportsPage />
                </RequirePermission>
              ),
            },
            {
              path: routePaths.detectionRisk,
              element: (
                <RequirePermission action="read" subject="DetectionAlert">
                  <Suspense fallback={<Spin />}>
                    <DetectionRiskPage />
                  </Suspense>
                </RequirePermission>
              ),
            },
            ...[routePaths.detectionAlerts, `${routePaths.detectionAlerts}/:id`].map((path) => ({
              path,
              element: (
                <RequirePermission action="read" subject="DetectionAlert">
                  <DetectionAlertsPage />
                </RequirePermission>
              ),
            })),
            {
              path: routePaths.detectionRules,
              element: (
                <RequirePermission action="read" subject="DetectionRule">
                  <DetectionRulesPage />
                </RequirePermission>
              ),
            },
            {
              path: `${routePaths.regulatoryReports}/reports/:id`,
              element: (
                <RequirePermission action="read" subject="RegulatoryReport">
                  <RegulatoryReportPage />
                </RequirePermission>
              ),
            },
            {
              path: routePaths.detectionHoneytokens,
              element: (
                <RequirePermission action="read" subject="Honeytoken">
                  <DetectionHoneytokensPage />
                </RequirePermission>
              ),
            },
            { path: '*', element: <NotFoundPage /> },
          ],
        },
      ],
    },
  ]);
}
