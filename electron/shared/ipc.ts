// Names shared by the preload and the main process. Every contract channel travels as
// `ims:<channel>` so no other ipcMain listener can be reached from the renderer API.
const IPC_PREFIX = 'ims:';

export const ipcName = (channel: string): string => `${IPC_PREFIX}${channel}`;
