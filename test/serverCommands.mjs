export const serverCommands = []
