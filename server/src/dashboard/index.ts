/** The coordinator's live dashboard page (served on the HTTP port at `/` and `/dashboard`). */
export { dashboardHtml } from './page';
export type { DashboardOptions } from './page';

/** Request paths the coordinator's HTTP server answers with the dashboard page. */
export const DASHBOARD_PATHS: readonly string[] = Object.freeze(['/', '/dashboard']);
