export { git, hooksDir, ignoredBy, workTree } from './git.js';
export { DRIVER_NAME, mergeDriverRegistered, registerMergeDriver } from './driver.js';
export {
  CHAINED_SUFFIX,
  PM_HOOKS,
  hookScript,
  installHooks,
  isPmHook,
  pmHookInstalled,
  uninstallHooks,
  type HookChange,
  type PmHook,
} from './hooks.js';
