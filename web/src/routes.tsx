/** Every page of the dashboard and where it lives. */
import { createBrowserRouter, Navigate, type RouteObject } from 'react-router-dom';
import { LoginPage } from './features/auth/login.page';
import { SetupPage } from './features/auth/setup.page';
import { RequireSession } from './features/auth/require-session';
import { AppLayout } from './features/shell/app-layout';
import { NotFoundPage } from './features/shell/not-found.page';
import { CampaignsPage } from './features/campaigns/campaigns.page';
import { EditCampaignPage, NewCampaignPage } from './features/campaigns/builder/campaign-builder.page';
import { CampaignPage } from './features/campaigns/report/campaign.page';
import { AudienceLayout } from './features/audience/audience-layout';
import { ProfilesPage } from './features/audience/profiles.page';
import { ProfilePage } from './features/audience/profile.page';
import { NewSegmentPage, SegmentPage, SegmentsPage } from './features/audience/segments.page';
import { ImportsPage } from './features/audience/imports.page';
import { InboxPage } from './features/inbox/inbox.page';
import { TemplatesPage } from './features/templates/templates.page';
import { NewTemplatePage, TemplatePage } from './features/templates/template-edit.page';
import { SettingsLayout } from './features/settings/settings-layout';
import { RequireAdmin } from './features/settings/require-admin';
import { ProvidersPage } from './features/providers/providers.page';
import { NewProviderPage, ProviderPage } from './features/providers/provider-edit.page';
import { KeywordsPage } from './features/settings/keywords.page';
import { ProjectsPage } from './features/projects/projects.page';
import { ApiCredentialsPage } from './features/projects/api-credentials.page';
import { MembersPage } from './features/projects/members.page';
import { UsersPage } from './features/users/users.page';

export const routes: RouteObject[] = [
  { path: '/login', element: <LoginPage /> },
  { path: '/setup', element: <SetupPage /> },
  {
    element: <RequireSession />,
    children: [
      {
        element: <AppLayout />,
        children: [
          { index: true, element: <Navigate to="/campaigns" replace /> },
          { path: 'campaigns', element: <CampaignsPage /> },
          { path: 'campaigns/new', element: <Navigate to="/campaigns/new/whatsapp" replace /> },
          { path: 'campaigns/new/whatsapp', element: <NewCampaignPage /> },
          { path: 'campaigns/:campaignId', element: <CampaignPage /> },
          { path: 'campaigns/:campaignId/edit', element: <EditCampaignPage /> },
          { path: 'templates', element: <TemplatesPage /> },
          { path: 'templates/new', element: <NewTemplatePage /> },
          { path: 'templates/:templateId', element: <TemplatePage /> },
          {
            path: 'audience',
            element: <AudienceLayout />,
            children: [
              { index: true, element: <Navigate to="/audience/profiles" replace /> },
              { path: 'profiles', element: <ProfilesPage /> },
              { path: 'profiles/:identity', element: <ProfilePage /> },
              { path: 'segments', element: <SegmentsPage /> },
              { path: 'segments/new', element: <NewSegmentPage /> },
              { path: 'segments/:segmentId', element: <SegmentPage /> },
              { path: 'imports', element: <ImportsPage /> },
            ],
          },
          { path: 'inbox', element: <InboxPage /> },
          { path: 'inbox/:phone', element: <InboxPage /> },
          {
            path: 'settings',
            element: <SettingsLayout />,
            children: [
              // WhatsApp is the only channel: Settings and Channels open it directly, so the way
              // there stays Settings → Channels → WhatsApp without an empty stop on the way.
              { index: true, element: <Navigate to="/settings/channels/whatsapp" replace /> },
              { path: 'channels', element: <Navigate to="/settings/channels/whatsapp" replace /> },
              { path: 'channels/whatsapp', element: <ProvidersPage /> },
              { path: 'channels/whatsapp/new', element: <NewProviderPage /> },
              { path: 'channels/whatsapp/:providerId', element: <ProviderPage /> },
              { path: 'keywords', element: <KeywordsPage /> },
              {
                element: <RequireAdmin />,
                children: [
                  { path: 'projects', element: <ProjectsPage /> },
                  { path: 'members', element: <MembersPage /> },
                  { path: 'users', element: <UsersPage /> },
                  { path: 'api-credentials', element: <ApiCredentialsPage /> },
                ],
              },
            ],
          },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
