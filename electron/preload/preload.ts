// Exposes exactly one thing to the page: window.normface, the contract's Bridge over IPC. No
// ipcRenderer, no Node. Bundled to CommonJS (sandboxed preloads cannot load ES modules).
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from '../../core/contract/api';
import { channelOf } from '../services/app/origin';

contextBridge.exposeInMainWorld(
  'normface',
  createBridge((call, args) => ipcRenderer.invoke(channelOf(call), args)),
);
