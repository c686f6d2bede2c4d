// Tests and tools decode images exactly as the Node hosts do.
export * from '../../electron/services/vision/decode';
