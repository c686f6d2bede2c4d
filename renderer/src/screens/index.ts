// The screens the shell can show, in navigation order. Each screen owns its folder and adds ONE entry
// here; the shell (App.tsx) renders the entry whose path matches the URL hash (#/kiosk).
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export interface ScreenEntry {
  /** The hash route, e.g. 'kiosk' for #/kiosk. */
  path: string;
  /** Navigation label, also the page heading's default. */
  title: string;
  component: LazyExoticComponent<ComponentType>;
  /** Shown without an operator signed in (the back end refuses the others' calls anyway). */
  public?: boolean;
}

// Loaded on first visit, so the kiosk does not pay for the training screen's code.
export const screens: ScreenEntry[] = [
  { path: 'login', title: 'Log in', component: lazy(() => import('./Login/LoginScreen')), public: true },
  { path: 'kiosk', title: 'Check-in', component: lazy(() => import('./Kiosk/KioskScreen')) },
  { path: 'enroll', title: 'Enroll', component: lazy(() => import('./Enroll/EnrollScreen')) },
  { path: 'identities', title: 'Identities', component: lazy(() => import('./Identities/IdentitiesScreen')) },
  { path: 'checkin-log', title: 'Check-in log', component: lazy(() => import('./CheckinLog/CheckinLogScreen')) },
  { path: 'training', title: 'Fine-tuning', component: lazy(() => import('./Training/TrainingScreen')) },
  { path: 'settings', title: 'Settings', component: lazy(() => import('./Settings/SettingsScreen')) },
  { path: 'about', title: 'About', component: lazy(() => import('./About/AboutScreen')), public: true },
];

export const defaultScreen = 'login';
