/** A tag (`repo/chat:1.4.2`) or a digest (`repo/chat@sha256:…`); never `latest`, never bare. */
export function assertPinnedImage(image: string): void {
  const lastSegment = image.split('/').pop() ?? '';
  const digest = /@sha256:[a-f0-9]{64}$/.test(image);
  const tag = /^[^:@]+:([\w][\w.-]{0,127})$/.exec(lastSegment)?.[1];
  if (!digest && (tag === undefined || tag === 'latest')) {
    throw new Error(
      `image "${image}" must be a registry reference pinned by digest or by a tag other than latest`,
    );
  }
}
