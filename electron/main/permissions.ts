// Only the camera, and only for the app's own page: every other permission (microphone,
// notifications, geolocation, USB...) is refused.
import type { Session } from 'electron';
import { isAppUrl } from '../services/app/origin';

export function isCameraOnly(permission: string, mediaTypes: readonly string[] | undefined): boolean {
  return permission === 'media' && (mediaTypes ?? []).length > 0 && (mediaTypes ?? []).every((t) => t === 'video');
}

export function restrictPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>): void {
  session.setPermissionRequestHandler((webContents, permission, callback, details) => {
    const url = 'requestingUrl' in details ? details.requestingUrl : webContents.getURL();
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(isAppUrl(url) && isCameraOnly(permission, mediaTypes));
  });
  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin) => permission === 'media' && isAppUrl(requestingOrigin));
  session.setDevicePermissionHandler(() => false);
}
