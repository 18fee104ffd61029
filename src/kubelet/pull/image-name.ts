/**
 * @module Image references as the kubelet reads them (docker/distribution's reference grammar):
 * the default ":latest" tag for a name without tag or digest, and the registry host a reference
 * names ("docker.io" when it names none), for matching pull secrets.
 */

const component = '[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*';
const domain = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?';
const reference = new RegExp(`^(?:(${domain})/)?(${component}(?:/${component})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`);

/** The kubelet's InvalidImageName failure; the message is its wording. */
export class InvalidImageNameError extends Error {
  constructor(readonly image: string) {
    super(`Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`);
    this.name = 'InvalidImageNameError';
  }
}

export interface ImageName { domain: string; path: string; tag?: string; digest?: string }

/** Parses a reference; the domain is "docker.io" when the first component is not a host. Throws InvalidImageNameError. */
export function parseImageName(image: string): ImageName {
  const m = reference.exec(image);
  if (!m || image.length > 255) throw new InvalidImageNameError(image);
  let [, host, path] = m;
  // "foo/bar": "foo" is a host only when it looks like one (a dot, a port, or localhost).
  if (host && !/[.:]/.test(host) && host !== 'localhost') {
    if (host !== host.toLowerCase()) throw new InvalidImageNameError(image);
    path = `${host}/${path}`;
    host = '';
  }
  return { domain: host || 'docker.io', path, tag: m[3], digest: m[4] };
}

/** The reference with ":latest" added when it has neither tag nor digest (applyDefaultImageTag). Throws InvalidImageNameError. */
export function withDefaultTag(image: string): string {
  const n = parseImageName(image);
  return n.tag || n.digest ? image : `${image}:latest`;
}

/** The registry host of an image ("docker.io", "127.0.0.1:5000"). Throws InvalidImageNameError. */
export const registryHost = (image: string): string => parseImageName(image).domain;
