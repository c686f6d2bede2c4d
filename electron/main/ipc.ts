// Registers every contract call with ipcMain.handle. The sender's frame must be the app's own page
// (not an iframe or a page navigated elsewhere); arguments are validated by the dispatcher before
// any handler runs; replies are Envelopes, so errors reach the UI as values.
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { callNames, type Envelope } from '../../core/contract/api';
import type { Connection, Gate } from '../services/app/dispatch';
import { channelOf, isAppUrl } from '../services/app/origin';

export function forbidden(url: string | undefined): Envelope<never> {
  return { ok: false, error: { code: 'forbidden', message: `Calls are only accepted from the app's own page, not from ${url || 'an unknown frame'}.` } };
}

/** Each window (webContents) is one caller: an operator's session is bound to the window that signed in. */
export function registerContract(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, gate: Gate): () => void {
  const connections = new Map<number, Connection>();
  const connectionOf = (event: IpcMainInvokeEvent): Connection => {
    const id = event.sender.id;
    let c = connections.get(id);
    if (!c) {
      const created = gate.connect();
      connections.set(id, created);
      event.sender.once('destroyed', () => {
        created.close();
        connections.delete(id);
      });
      c = created;
    }
    return c;
  };
  for (const name of callNames) {
    ipcMain.handle(channelOf(name), (event: IpcMainInvokeEvent, args: unknown) => {
      const url = event.senderFrame?.url;
      if (!isAppUrl(url) || event.senderFrame?.parent) return forbidden(url);
      return connectionOf(event).dispatch(name, args);
    });
  }
  return () => {
    for (const name of callNames) ipcMain.removeHandler(channelOf(name));
  };
}
