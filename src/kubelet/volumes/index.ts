/**
 * @module Pod volumes for the node agent: the VolumeManager and the error it fails with.
 */
export { VolumeManager, PluginDirs, type VolumeManagerOptions } from './manager.js';
export { VolumeError, FailedMount, type VolumeFailure } from './errors.js';
