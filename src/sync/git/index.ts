export { git, hooksDir, workTree } from './git.js';
export { DRIVER_NAME, mergeDriverRegistered, registerMergeDriver } from './driver.js';
export {
  CHAINED_SUFFIX,
  PM_HOOKS,
  hookScript,
  installHooks,
  isPmHook,
  uninstallHooks,
  type HookChange,
  type PmHook,
} from './hooks.js';
