// The screens the shell can show, in navigation order. Each screen owns its folder and adds ONE entry
// here; the shell (App.tsx) renders the entry whose path matches the URL hash (#/kiosk).
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export interface ScreenEntry {
  /** The hash route, e.g. 'kiosk' for #/kiosk. */
  path: string;
  /** Navigation label, also the page heading's default. */
  title: string;
  component: LazyExoticComponent<ComponentType>;
}

// Loaded on first visit, so the kiosk does not pay for the training screen's code.
export const screens: ScreenEntry[] = [
  { path: 'login', title: 'Log in', component: lazy(() => import('./Login/LoginScreen')) },
  { path: 'kiosk', title: 'Check-in', component: lazy(() => import('./Kiosk/KioskScreen')) },
  // UI-B: enroll, identities, checkin-log, training, settings, about (one line each).
];

export const defaultScreen = 'login';
