/** @module The images tugboat builds and imports itself, without a registry. */
export { BUSYBOX_BINARY, SANDBOX_IMAGE, TEST_IMAGE, checkImageName } from './names.js';
export { buildBusyboxImage, REQUIRED_APPLETS, type BuiltImage, type BusyboxImageOptions } from './busybox-image.js';
export { CRI_NAMESPACE, checkEndpoint, importImage, listImages, normalizeRef, removeImage, socketPath, type LocalImage } from './ctr.js';
export { PAUSE_ENTRYPOINT, ensureLocalImage, ensureSandboxImage, localImageTar } from './local-images.js';
